-- 016: a period of the register read in time independent of the page's
-- history.  The entries of a date range are read in seq order between the
-- range's first and last seq; with seq in the page-and-date index those two
-- are found from the index alone (a year's worth of index entries), where
-- before the page's every entry since it was opened was read and filtered.
-- The index still answers the page's latest event date.
DROP INDEX register_entries_page_date;
CREATE INDEX register_entries_page_date ON register_entries(page_id, event_date, seq);
