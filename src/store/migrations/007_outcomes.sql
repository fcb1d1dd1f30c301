-- 007: recovery in all its domains: outcome instruments (held as data),
-- their licences and switches, outcome forms (TOP, BARC-10, SWEMWBS ...),
-- personal goals, drug screens, the outcome settings, and service-user
-- accounts with their own notes.
--
-- Everything here is append-only (triggers at the end): a revised form is
-- a new row that supersedes the old one, a form or screen recorded by
-- mistake gets an entered-in-error row, and a goal's status is folded from
-- its events.  The one exception is nothing: closing a service-user
-- account is a row of its own.

-- An instrument's definition (items, scales, ranges, scoring rule,
-- conversion table, recall period, copyright line) as JSON.  A new version
-- is a new row; a form names the row it was recorded under, so an old form
-- always renders under its own version.
CREATE TABLE instruments (
  id         INTEGER PRIMARY KEY,
  code       TEXT NOT NULL,
  version    INTEGER NOT NULL,
  definition TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by INTEGER REFERENCES users(id),
  UNIQUE (code, version)
) STRICT;

-- A licence or registration for an instrument that needs one.
CREATE TABLE instrument_licences (
  id            INTEGER PRIMARY KEY,
  code          TEXT NOT NULL,
  holder        TEXT NOT NULL,
  reference     TEXT NOT NULL,
  registered_on INTEGER NOT NULL,
  expires_on    INTEGER,
  recorded_by   INTEGER REFERENCES users(id),
  recorded_at   INTEGER NOT NULL
) STRICT;

-- Switching an instrument on or off; the newest row for a code applies.
CREATE TABLE instrument_switches (
  id      INTEGER PRIMARY KEY,
  code    TEXT NOT NULL,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  by_id   INTEGER REFERENCES users(id),
  at      INTEGER NOT NULL
) STRICT;
CREATE INDEX instrument_switches_code ON instrument_switches(code, id);

CREATE TABLE outcome_forms (
  id            INTEGER PRIMARY KEY,
  patient_id    INTEGER NOT NULL REFERENCES patients(id),
  episode_id    INTEGER REFERENCES episodes(id),
  instrument_id INTEGER NOT NULL REFERENCES instruments(id),
  form_date     INTEGER NOT NULL,
  stage         TEXT CHECK (stage IN ('start', 'review', 'exit', 'post_exit')),
  keyworker_id  INTEGER REFERENCES users(id),
  answers       TEXT NOT NULL,
  total         INTEGER,
  metric_x100   INTEGER,
  supersedes_id INTEGER UNIQUE REFERENCES outcome_forms(id),
  change_reason TEXT NOT NULL DEFAULT '',
  by_self       INTEGER NOT NULL DEFAULT 0 CHECK (by_self IN (0, 1)),
  recorded_by   INTEGER REFERENCES users(id),
  recorded_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX outcome_forms_patient ON outcome_forms(patient_id, form_date);

CREATE TABLE outcome_form_errors (
  form_id INTEGER PRIMARY KEY REFERENCES outcome_forms(id),
  reason  TEXT NOT NULL,
  by_id   INTEGER REFERENCES users(id),
  at      INTEGER NOT NULL
) STRICT;

-- Outcome settings (review interval, change thresholds, screen window and
-- threshold) for the whole clinic, one row per version.
CREATE TABLE outcome_settings (
  id         INTEGER PRIMARY KEY,
  version    INTEGER NOT NULL UNIQUE,
  settings   TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by INTEGER REFERENCES users(id)
) STRICT;

CREATE TABLE goals (
  id          INTEGER PRIMARY KEY,
  patient_id  INTEGER NOT NULL REFERENCES patients(id),
  domain      TEXT NOT NULL,
  own_domain  TEXT NOT NULL DEFAULT '',
  text        TEXT NOT NULL,
  target_date INTEGER,
  set_by      INTEGER REFERENCES users(id),
  by_self     INTEGER NOT NULL DEFAULT 0 CHECK (by_self IN (0, 1)),
  set_at      INTEGER NOT NULL,
  local_date  INTEGER NOT NULL
) STRICT;
CREATE INDEX goals_patient ON goals(patient_id);

CREATE TABLE goal_events (
  id         INTEGER PRIMARY KEY,
  goal_id    INTEGER NOT NULL REFERENCES goals(id),
  kind       TEXT NOT NULL CHECK (kind IN ('review', 'achieved', 'let_go', 'reopen')),
  note       TEXT NOT NULL DEFAULT '',
  by_id      INTEGER REFERENCES users(id),
  by_self    INTEGER NOT NULL DEFAULT 0 CHECK (by_self IN (0, 1)),
  at         INTEGER NOT NULL,
  local_date INTEGER NOT NULL
) STRICT;
CREATE INDEX goal_events_goal ON goal_events(goal_id);

-- The clinic's list of analytes.  street_marker: an opium impurity whose
-- positive means street heroin; heroin_metabolite: 6-MAM, street heroin
-- unless the prescription explains it; expected_with: the prescribed drugs
-- (bits: 1 diamorphine, 2 hydromorphone, 4 methadone, 8 SROM) that explain
-- a positive.
CREATE TABLE screen_analytes (
  code              TEXT PRIMARY KEY,
  label             TEXT NOT NULL,
  street_marker     INTEGER NOT NULL DEFAULT 0 CHECK (street_marker IN (0, 1)),
  heroin_metabolite INTEGER NOT NULL DEFAULT 0 CHECK (heroin_metabolite IN (0, 1)),
  expected_with     INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO screen_analytes (code, label, street_marker, heroin_metabolite, expected_with) VALUES
  ('morphine', 'Morphine', 0, 0, 9),
  ('6mam', '6-monoacetylmorphine (6-MAM)', 0, 1, 1),
  ('papaverine_metabolites', 'Papaverine metabolites (street-heroin marker)', 1, 0, 0),
  ('noscapine_metabolites', 'Noscapine metabolites, meconine (street-heroin marker)', 1, 0, 0),
  ('acetylcodeine', 'Acetylcodeine (street-heroin marker)', 1, 0, 0),
  ('codeine', 'Codeine', 0, 0, 0),
  ('hydromorphone', 'Hydromorphone', 0, 0, 2),
  ('methadone', 'Methadone', 0, 0, 4),
  ('eddp', 'EDDP (methadone metabolite)', 0, 0, 4),
  ('buprenorphine', 'Buprenorphine', 0, 0, 0),
  ('fentanyl', 'Fentanyl', 0, 0, 0),
  ('cocaine', 'Cocaine (benzoylecgonine)', 0, 0, 0),
  ('amphetamine', 'Amphetamine', 0, 0, 0),
  ('benzodiazepines', 'Benzodiazepines', 0, 0, 0),
  ('cannabis', 'Cannabis (THC)', 0, 0, 0),
  ('gabapentinoids', 'Gabapentinoids', 0, 0, 0);

CREATE TABLE drug_screens (
  id            INTEGER PRIMARY KEY,
  patient_id    INTEGER NOT NULL REFERENCES patients(id),
  collected_at  INTEGER NOT NULL,
  local_date    INTEGER NOT NULL,
  sample_type   TEXT NOT NULL CHECK (sample_type IN ('urine', 'oral_fluid', 'other')),
  supervised    INTEGER NOT NULL CHECK (supervised IN (0, 1)),
  collection    TEXT NOT NULL CHECK (collection IN ('random', 'scheduled')),
  method        TEXT NOT NULL CHECK (method IN ('point_of_care', 'lab_screen', 'confirmatory')),
  lab_ref       TEXT NOT NULL DEFAULT '',
  self_report   TEXT NOT NULL CHECK (self_report IN ('unknown', 'no', 'yes')),
  prescribed    INTEGER NOT NULL,
  street_heroin TEXT NOT NULL CHECK (street_heroin IN ('no_evidence', 'evidence', 'undetermined')),
  notes         TEXT NOT NULL DEFAULT '',
  recorded_by   INTEGER REFERENCES users(id),
  recorded_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX drug_screens_patient ON drug_screens(patient_id, collected_at);

CREATE TABLE drug_screen_results (
  id           INTEGER PRIMARY KEY,
  screen_id    INTEGER NOT NULL REFERENCES drug_screens(id),
  analyte      TEXT NOT NULL REFERENCES screen_analytes(code),
  result       TEXT NOT NULL CHECK (result IN ('negative', 'positive', 'invalid', 'not_tested')),
  cutoff_ng_ml INTEGER,
  expected     INTEGER NOT NULL CHECK (expected IN (0, 1)),
  UNIQUE (screen_id, analyte)
) STRICT;

CREATE TABLE drug_screen_errors (
  screen_id INTEGER PRIMARY KEY REFERENCES drug_screens(id),
  reason    TEXT NOT NULL,
  by_id     INTEGER REFERENCES users(id),
  at        INTEGER NOT NULL
) STRICT;

-- A person's own login, linked to their one patient record, made by staff
-- with their consent.  Closing it is a row in service_user_closures (and
-- the login is disabled).
CREATE TABLE service_user_accounts (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL UNIQUE REFERENCES users(id),
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  consent    TEXT NOT NULL,
  opened_by  INTEGER REFERENCES users(id),
  opened_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX service_user_accounts_patient ON service_user_accounts(patient_id);

CREATE TABLE service_user_closures (
  account_id INTEGER PRIMARY KEY REFERENCES service_user_accounts(id),
  reason     TEXT NOT NULL,
  by_id      INTEGER REFERENCES users(id),
  at         INTEGER NOT NULL
) STRICT;

-- Notes a person writes on how they are doing (feeling: 1 low .. 5 good).
CREATE TABLE self_notes (
  id         INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  user_id    INTEGER NOT NULL REFERENCES users(id),
  feeling    INTEGER CHECK (feeling BETWEEN 1 AND 5),
  text       TEXT NOT NULL,
  at         INTEGER NOT NULL,
  local_date INTEGER NOT NULL
) STRICT;
CREATE INDEX self_notes_patient ON self_notes(patient_id);

INSERT INTO instruments (code, version, definition, created_at) VALUES ('top', 1, '{"code":"top","version":1,"title":"Treatment Outcomes Profile","form":"TOP, community form with tobacco (Core Data Set M, 2016)","recall_days":28,"scoring":"none","licence_required":false,"stages":true,"copyright":"Treatment Outcomes Profile: Crown copyright (National Treatment Agency, now the Office for Health Improvement and Disparities).","plain":{"opiates_days":"days using street heroin or other opioids not prescribed","psych_health":"how you rate your mental health (0 poor to 20 good)","physical_health":"how you rate your physical health (0 poor to 20 good)","quality_of_life":"how you rate your quality of life (0 poor to 20 good)","crack_days":"days using crack","alcohol_days":"days drinking","injected_days":"days injecting drugs not prescribed","paid_work_days":"days in paid work","education_days":"days at college or school","acute_housing":"a housing crisis","eviction_risk":"at risk of losing your home","shoplifting_days":"days shoplifting","drug_selling_days":"days selling drugs","cannabis_days":"days using cannabis","cocaine_days":"days using cocaine","amphetamines_days":"days using amphetamines","tobacco_days":"days smoking tobacco","other_days":"days using another drug","shared_needle":"sharing needles","shared_paraphernalia":"sharing spoons, water or filters","vehicle_theft":"vehicle crime","property_theft":"theft or burglary","fraud":"fraud","assault":"violence"},"items":[{"key":"alcohol_days","section":"1a","label":"Alcohol: days used","code":"ALCUSE","type":"days","weeks":true,"required":true,"better":"lower","domain":"substance_use"},{"key":"alcohol_units","section":"1a","label":"Alcohol: average units on a using day","unit":"units","type":"amount","min":0,"max":200,"required":false,"better":"none","domain":"substance_use"},{"key":"opiates_days","section":"1b","label":"Opiates (illicit): street heroin or any opioid not prescribed: days used","code":"OPIUSE","type":"days","weeks":true,"required":true,"better":"lower","domain":"substance_use"},{"key":"opiates_amount","section":"1b","label":"Opiates (illicit): grams on a using day","unit":"g","type":"amount","min":0,"max":50,"required":false,"better":"none","domain":"substance_use"},{"key":"crack_days","section":"1c","label":"Crack: days used","code":"CRAUSE","type":"days","weeks":true,"required":true,"better":"lower","domain":"substance_use"},{"key":"crack_amount","section":"1c","label":"Crack: grams on a using day","unit":"g","type":"amount","min":0,"max":50,"required":false,"better":"none","domain":"substance_use"},{"key":"cocaine_days","section":"1d","label":"Cocaine: days used","code":"COCAUSE","type":"days","weeks":true,"required":true,"better":"lower","domain":"substance_use"},{"key":"cocaine_amount","section":"1d","label":"Cocaine: grams on a using day","unit":"g","type":"amount","min":0,"max":50,"required":false,"better":"none","domain":"substance_use"},{"key":"amphetamines_days","section":"1e","label":"Amphetamines: days used","code":"AMPHUSE","type":"days","weeks":true,"required":true,"better":"lower","domain":"substance_use"},{"key":"amphetamines_amount","section":"1e","label":"Amphetamines: grams on a using day","unit":"g","type":"amount","min":0,"max":50,"required":false,"better":"none","domain":"substance_use"},{"key":"cannabis_days","section":"1f","label":"Cannabis: days used","code":"CANNUSE","type":"days","weeks":true,"required":true,"better":"lower","domain":"substance_use"},{"key":"cannabis_amount","section":"1f","label":"Cannabis: spliffs on a using day","unit":"spliffs","type":"amount","min":0,"max":100,"required":false,"better":"none","domain":"substance_use"},{"key":"other_substance","section":"1g","label":"Other problem substance: its name","type":"text","min":0,"max":80,"required":false,"better":"none","domain":"substance_use"},{"key":"other_days","section":"1g","label":"Other problem substance: days used","code":"OTDRGUSE","type":"days","weeks":true,"required":true,"better":"lower","domain":"substance_use"},{"key":"other_amount","section":"1g","label":"Other problem substance: amount on a using day","unit":"","type":"amount","min":0,"max":1000,"required":false,"better":"none","domain":"substance_use"},{"key":"tobacco_days","section":"1h","label":"Tobacco (not nicotine replacement or e-cigarettes): days used","code":"","type":"days","weeks":true,"required":true,"better":"lower","domain":"substance_use"},{"key":"injected_days","section":"2a","label":"Injected non-prescribed drugs: days","code":"IVDRGUSE","type":"days","weeks":true,"required":true,"better":"lower","domain":"injecting"},{"key":"shared_needle","section":"2b","label":"Injected with a needle or syringe used by someone else","code":"SHARING","type":"yesno","required":false,"better":"lower","domain":"injecting"},{"key":"shared_paraphernalia","section":"2c","label":"Injected using a spoon, water or filter used by someone else","code":"SHARING","type":"yesno","required":false,"better":"lower","domain":"injecting"},{"key":"shoplifting_days","section":"3a","label":"Shoplifting: days","code":"SHOTHEFT","type":"days","weeks":true,"required":true,"better":"lower","domain":"crime"},{"key":"drug_selling_days","section":"3b","label":"Drug selling: days","code":"DRGSELL","type":"days","weeks":true,"required":true,"better":"lower","domain":"crime"},{"key":"vehicle_theft","section":"3c","label":"Theft from or of a vehicle","code":"OTHTHEFT","type":"yesno","required":true,"better":"lower","domain":"crime"},{"key":"property_theft","section":"3d","label":"Other property theft or burglary","code":"OTHTHEFT","type":"yesno","required":true,"better":"lower","domain":"crime"},{"key":"fraud","section":"3e","label":"Fraud, forgery or handling stolen goods","code":"OTHTHEFT","type":"yesno","required":true,"better":"lower","domain":"crime"},{"key":"assault","section":"3f","label":"Committing assault or violence","code":"ASSAULT","type":"yesno","required":true,"better":"lower","domain":"crime"},{"key":"psych_health","section":"4","label":"Psychological health (anxiety, depression, problem emotions and feelings)","code":"PSYHSTAT","type":"scale","min":0,"max":20,"required":true,"better":"higher","domain":"psychological_health","anchors":["poor","good"]},{"key":"paid_work_days","section":"4","label":"Days in paid work","code":"PWORK","type":"days","weeks":true,"required":true,"better":"higher","domain":"work_education"},{"key":"education_days","section":"4","label":"Days at college or school","code":"EDUCAT","type":"days","weeks":true,"required":true,"better":"higher","domain":"work_education"},{"key":"physical_health","section":"4","label":"Physical health (extent of physical symptoms and bothered by illness)","code":"PHSTAT","type":"scale","min":0,"max":20,"required":true,"better":"higher","domain":"physical_health","anchors":["poor","good"]},{"key":"acute_housing","section":"4","label":"Acute housing problem","code":"ACUTHPBM","type":"yesno","required":true,"better":"lower","domain":"housing"},{"key":"eviction_risk","section":"4","label":"At risk of eviction","code":"HRISK","type":"yesno","required":true,"better":"lower","domain":"housing"},{"key":"quality_of_life","section":"4","label":"Overall quality of life (able to enjoy life, gets on with family and partner)","code":"QUALLIFE","type":"scale","min":0,"max":20,"required":true,"better":"higher","domain":"quality_of_life","anchors":["poor","good"]}]}', 0);
INSERT INTO instruments (code, version, definition, created_at) VALUES ('barc10', 1, '{"code":"barc10","version":1,"title":"Brief Assessment of Recovery Capital (BARC-10)","recall_days":0,"scoring":"sum","licence_required":false,"copyright":"BARC-10: Vilsaint, Kelly, Bergman, Groshkova, Best and White, Drug Alcohol Depend 2017;177:71-76. Freely available; permission not required.","scale":["strongly disagree","disagree","somewhat disagree","somewhat agree","agree","strongly agree"],"total":{"label":"Recovery capital (10 to 60)","better":"higher","domain":"recovery_capital"},"items":[{"key":"barc1","label":"There are more important things to me in life than using substances.","type":"scale","min":1,"max":6,"required":false,"scored":true,"better":"higher","domain":"recovery_capital"},{"key":"barc2","label":"In general I am happy with my life.","type":"scale","min":1,"max":6,"required":false,"scored":true,"better":"higher","domain":"recovery_capital"},{"key":"barc3","label":"I have enough energy to complete the tasks I set myself.","type":"scale","min":1,"max":6,"required":false,"scored":true,"better":"higher","domain":"recovery_capital"},{"key":"barc4","label":"I am proud of the community I live in and feel part of it.","type":"scale","min":1,"max":6,"required":false,"scored":true,"better":"higher","domain":"recovery_capital"},{"key":"barc5","label":"I get lots of support from friends.","type":"scale","min":1,"max":6,"required":false,"scored":true,"better":"higher","domain":"recovery_capital"},{"key":"barc6","label":"I regard my life as challenging and fulfilling without the need for using drugs or alcohol.","type":"scale","min":1,"max":6,"required":false,"scored":true,"better":"higher","domain":"recovery_capital"},{"key":"barc7","label":"My living space has helped to drive my recovery journey.","type":"scale","min":1,"max":6,"required":false,"scored":true,"better":"higher","domain":"recovery_capital"},{"key":"barc8","label":"I take full responsibility for my actions.","type":"scale","min":1,"max":6,"required":false,"scored":true,"better":"higher","domain":"recovery_capital"},{"key":"barc9","label":"I am happy dealing with a range of professional people.","type":"scale","min":1,"max":6,"required":false,"scored":true,"better":"higher","domain":"recovery_capital"},{"key":"barc10","label":"I am making good progress on my recovery journey.","type":"scale","min":1,"max":6,"required":false,"scored":true,"better":"higher","domain":"recovery_capital"}]}', 0);
INSERT INTO instruments (code, version, definition, created_at) VALUES ('swemwbs', 1, '{"code":"swemwbs","version":1,"title":"Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)","recall_days":14,"scoring":"sum_table","licence_required":true,"copyright":"Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS) © NHS Health Scotland, University of Warwick and University of Edinburgh, 2008, all rights reserved.","scale":["none of the time","rarely","some of the time","often","all of the time"],"total":{"label":"Wellbeing (metric score 7 to 35)","better":"higher","domain":"wellbeing"},"table":{"first":7,"values":[7.0,9.51,11.25,12.4,13.33,14.08,14.75,15.32,15.84,16.36,16.88,17.43,17.98,18.59,19.25,19.98,20.73,21.54,22.35,23.21,24.11,25.03,26.02,27.03,28.13,29.31,30.7,32.55,35.0]},"items":[{"key":"sw1","label":"I''ve been feeling optimistic about the future","type":"scale","min":1,"max":5,"required":false,"scored":true,"better":"higher","domain":"wellbeing"},{"key":"sw2","label":"I''ve been feeling useful","type":"scale","min":1,"max":5,"required":false,"scored":true,"better":"higher","domain":"wellbeing"},{"key":"sw3","label":"I''ve been feeling relaxed","type":"scale","min":1,"max":5,"required":false,"scored":true,"better":"higher","domain":"wellbeing"},{"key":"sw4","label":"I''ve been dealing with problems well","type":"scale","min":1,"max":5,"required":false,"scored":true,"better":"higher","domain":"wellbeing"},{"key":"sw5","label":"I''ve been thinking clearly","type":"scale","min":1,"max":5,"required":false,"scored":true,"better":"higher","domain":"wellbeing"},{"key":"sw6","label":"I''ve been feeling close to other people","type":"scale","min":1,"max":5,"required":false,"scored":true,"better":"higher","domain":"wellbeing"},{"key":"sw7","label":"I''ve been able to make up my own mind about things","type":"scale","min":1,"max":5,"required":false,"scored":true,"better":"higher","domain":"wellbeing"}]}', 0);
-- The TOP and BARC-10 are on from the start; SWEMWBS needs a registration
-- recorded before it can be switched on.
INSERT INTO instrument_switches (code, enabled, at) VALUES ('top', 1, 0), ('barc10', 1, 0);

CREATE TRIGGER instruments_no_update BEFORE UPDATE ON instruments
BEGIN SELECT RAISE(ABORT, 'instruments is append-only'); END;
CREATE TRIGGER instruments_no_delete BEFORE DELETE ON instruments
BEGIN SELECT RAISE(ABORT, 'instruments is append-only'); END;
CREATE TRIGGER instrument_licences_no_update BEFORE UPDATE ON instrument_licences
BEGIN SELECT RAISE(ABORT, 'instrument_licences is append-only'); END;
CREATE TRIGGER instrument_licences_no_delete BEFORE DELETE ON instrument_licences
BEGIN SELECT RAISE(ABORT, 'instrument_licences is append-only'); END;
CREATE TRIGGER instrument_switches_no_update BEFORE UPDATE ON instrument_switches
BEGIN SELECT RAISE(ABORT, 'instrument_switches is append-only'); END;
CREATE TRIGGER instrument_switches_no_delete BEFORE DELETE ON instrument_switches
BEGIN SELECT RAISE(ABORT, 'instrument_switches is append-only'); END;
CREATE TRIGGER outcome_forms_no_update BEFORE UPDATE ON outcome_forms
BEGIN SELECT RAISE(ABORT, 'outcome_forms is append-only'); END;
CREATE TRIGGER outcome_forms_no_delete BEFORE DELETE ON outcome_forms
BEGIN SELECT RAISE(ABORT, 'outcome_forms is append-only'); END;
CREATE TRIGGER outcome_form_errors_no_update BEFORE UPDATE ON outcome_form_errors
BEGIN SELECT RAISE(ABORT, 'outcome_form_errors is append-only'); END;
CREATE TRIGGER outcome_form_errors_no_delete BEFORE DELETE ON outcome_form_errors
BEGIN SELECT RAISE(ABORT, 'outcome_form_errors is append-only'); END;
CREATE TRIGGER outcome_settings_no_update BEFORE UPDATE ON outcome_settings
BEGIN SELECT RAISE(ABORT, 'outcome_settings is append-only'); END;
CREATE TRIGGER outcome_settings_no_delete BEFORE DELETE ON outcome_settings
BEGIN SELECT RAISE(ABORT, 'outcome_settings is append-only'); END;
CREATE TRIGGER goals_no_update BEFORE UPDATE ON goals
BEGIN SELECT RAISE(ABORT, 'goals is append-only'); END;
CREATE TRIGGER goals_no_delete BEFORE DELETE ON goals
BEGIN SELECT RAISE(ABORT, 'goals is append-only'); END;
CREATE TRIGGER goal_events_no_update BEFORE UPDATE ON goal_events
BEGIN SELECT RAISE(ABORT, 'goal_events is append-only'); END;
CREATE TRIGGER goal_events_no_delete BEFORE DELETE ON goal_events
BEGIN SELECT RAISE(ABORT, 'goal_events is append-only'); END;
CREATE TRIGGER screen_analytes_no_update BEFORE UPDATE ON screen_analytes
BEGIN SELECT RAISE(ABORT, 'screen_analytes is append-only'); END;
CREATE TRIGGER screen_analytes_no_delete BEFORE DELETE ON screen_analytes
BEGIN SELECT RAISE(ABORT, 'screen_analytes is append-only'); END;
CREATE TRIGGER drug_screens_no_update BEFORE UPDATE ON drug_screens
BEGIN SELECT RAISE(ABORT, 'drug_screens is append-only'); END;
CREATE TRIGGER drug_screens_no_delete BEFORE DELETE ON drug_screens
BEGIN SELECT RAISE(ABORT, 'drug_screens is append-only'); END;
CREATE TRIGGER drug_screen_results_no_update BEFORE UPDATE ON drug_screen_results
BEGIN SELECT RAISE(ABORT, 'drug_screen_results is append-only'); END;
CREATE TRIGGER drug_screen_results_no_delete BEFORE DELETE ON drug_screen_results
BEGIN SELECT RAISE(ABORT, 'drug_screen_results is append-only'); END;
CREATE TRIGGER drug_screen_errors_no_update BEFORE UPDATE ON drug_screen_errors
BEGIN SELECT RAISE(ABORT, 'drug_screen_errors is append-only'); END;
CREATE TRIGGER drug_screen_errors_no_delete BEFORE DELETE ON drug_screen_errors
BEGIN SELECT RAISE(ABORT, 'drug_screen_errors is append-only'); END;
CREATE TRIGGER service_user_accounts_no_update BEFORE UPDATE ON service_user_accounts
BEGIN SELECT RAISE(ABORT, 'service_user_accounts is append-only'); END;
CREATE TRIGGER service_user_accounts_no_delete BEFORE DELETE ON service_user_accounts
BEGIN SELECT RAISE(ABORT, 'service_user_accounts is append-only'); END;
CREATE TRIGGER service_user_closures_no_update BEFORE UPDATE ON service_user_closures
BEGIN SELECT RAISE(ABORT, 'service_user_closures is append-only'); END;
CREATE TRIGGER service_user_closures_no_delete BEFORE DELETE ON service_user_closures
BEGIN SELECT RAISE(ABORT, 'service_user_closures is append-only'); END;
CREATE TRIGGER self_notes_no_update BEFORE UPDATE ON self_notes
BEGIN SELECT RAISE(ABORT, 'self_notes is append-only'); END;
CREATE TRIGGER self_notes_no_delete BEFORE DELETE ON self_notes
BEGIN SELECT RAISE(ABORT, 'self_notes is append-only'); END;

-- What the national drug-treatment return needs of an episode beyond what
-- hat already holds: consent to the return, local authority, postcode,
-- referral source, triage and care-plan dates.  A new row per change; the
-- newest for an episode applies.
CREATE TABLE ndtms_details (
  id              INTEGER PRIMARY KEY,
  episode_id      INTEGER NOT NULL REFERENCES episodes(id),
  consent         TEXT NOT NULL CHECK (consent IN ('Y', 'N')),
  local_authority TEXT NOT NULL DEFAULT '',
  postcode        TEXT NOT NULL DEFAULT '',
  referral_source TEXT NOT NULL DEFAULT '',
  triage_date     INTEGER,
  care_plan_date  INTEGER,
  recorded_by     INTEGER REFERENCES users(id),
  recorded_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX ndtms_details_episode ON ndtms_details(episode_id, id);
CREATE TRIGGER ndtms_details_no_update BEFORE UPDATE ON ndtms_details
BEGIN SELECT RAISE(ABORT, 'ndtms_details is append-only'); END;
CREATE TRIGGER ndtms_details_no_delete BEFORE DELETE ON ndtms_details
BEGIN SELECT RAISE(ABORT, 'ndtms_details is append-only'); END;

-- The treatment modalities of an episode for the national return (MODAL,
-- MODST, MODEND, MODEXIT).  A change is a new row superseding the old.
CREATE TABLE ndtms_modalities (
  id            INTEGER PRIMARY KEY,
  episode_id    INTEGER NOT NULL REFERENCES episodes(id),
  modality      TEXT NOT NULL,
  start_date    INTEGER NOT NULL,
  end_date      INTEGER,
  exit_status   TEXT NOT NULL DEFAULT '',
  supersedes_id INTEGER UNIQUE REFERENCES ndtms_modalities(id),
  recorded_by   INTEGER REFERENCES users(id),
  recorded_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX ndtms_modalities_episode ON ndtms_modalities(episode_id);
CREATE TRIGGER ndtms_modalities_no_update BEFORE UPDATE ON ndtms_modalities
BEGIN SELECT RAISE(ABORT, 'ndtms_modalities is append-only'); END;
CREATE TRIGGER ndtms_modalities_no_delete BEFORE DELETE ON ndtms_modalities
BEGIN SELECT RAISE(ABORT, 'ndtms_modalities is append-only'); END;

-- The key that turns a person's attributor (initials, date of birth, sex)
-- into the pseudonym of research and aggregate exports: keyed, so that the
-- pseudonym cannot be recomputed from a guess at someone's details.
INSERT INTO meta (key, value) VALUES ('outcomes_pseudonym_key', lower(hex(randomblob(32))));
