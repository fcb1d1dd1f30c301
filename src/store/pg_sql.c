/*
** pg_sql.c: see pg_sql.h.
**
** The text is cut into tokens (spaces, comments, strings, quoted names,
** words, numbers, parameters, punctuation), every parenthesis is paired
** with its partner, and the tokens are written out again with the
** rewrites applied.  Rewrites that take a function's arguments translate
** them recursively, so they nest.
*/
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <strings.h>

#include "pg_sql.h"
#include "util/buf.h"
#include "util/log.h"

#define SQL_CAP (64u << 20) /* far above the largest migration */

enum tok_kind { T_SPACE, T_COMMENT, T_STRING, T_QNAME, T_WORD, T_NUMBER, T_PARAM, T_PUNCT };

struct tok {
	enum tok_kind kind;
	const char *p;
	size_t n;
	int match; /* for '(' and ')': the index of the partner, else -1 */
};

struct tr {
	struct tok *t;
	int n;
	struct buf out;
	int max_param;
	bool failed;
};

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static int lex(const char *s, struct tok **out)
{
	size_t cap = 256;
	int n = 0;
	struct tok *t = malloc(cap * sizeof *t);
	const char *p = s;

	if (!t)
		return -1;
	while (*p) {
		struct tok k = { T_PUNCT, p, 1, -1 };

		if (isspace((unsigned char)*p)) {
			k.kind = T_SPACE;
			while (isspace((unsigned char)p[k.n]))
				k.n++;
		} else if (p[0] == '-' && p[1] == '-') {
			k.kind = T_COMMENT;
			while (p[k.n] && p[k.n] != '\n')
				k.n++;
		} else if (*p == '\'' || *p == '"') {
			char q = *p;

			k.kind = q == '\'' ? T_STRING : T_QNAME;
			for (;;) {
				if (!p[k.n])
					break;
				if (p[k.n] == q) {
					if (p[k.n + 1] == q) {
						k.n += 2;
						continue;
					}
					k.n++;
					break;
				}
				k.n++;
			}
		} else if (*p == '?') {
			k.kind = T_PARAM;
			while (isdigit((unsigned char)p[k.n]))
				k.n++;
		} else if (isdigit((unsigned char)*p)) {
			k.kind = T_NUMBER;
			while (is_word_char(p[k.n]) || p[k.n] == '.')
				k.n++;
		} else if (is_word_char(*p)) {
			k.kind = T_WORD;
			while (is_word_char(p[k.n]))
				k.n++;
		}
		if (n == (int)cap) {
			struct tok *m = realloc(t, 2 * cap * sizeof *t);

			if (!m) {
				free(t);
				return -1;
			}
			t = m;
			cap *= 2;
		}
		t[n++] = k;
		p += k.n;
	}
	/* Pair the parentheses. */
	{
		int *stack = malloc(((size_t)n + 1) * sizeof *stack);
		int depth = 0;

		if (!stack) {
			free(t);
			return -1;
		}
		for (int i = 0; i < n; i++) {
			if (t[i].kind != T_PUNCT)
				continue;
			if (*t[i].p == '(') {
				stack[depth++] = i;
			} else if (*t[i].p == ')' && depth > 0) {
				int o = stack[--depth];

				t[o].match = i;
				t[i].match = o;
			}
		}
		free(stack);
	}
	*out = t;
	return n;
}

static bool word_is(const struct tok *k, const char *w)
{
	return k->kind == T_WORD && strlen(w) == k->n && strncasecmp(k->p, w, k->n) == 0;
}

static bool punct_is(const struct tok *k, char c)
{
	return k->kind == T_PUNCT && *k->p == c;
}

/* The next token at or after i that is not space or a comment (or n). */
static int next(const struct tr *x, int i)
{
	while (i < x->n && (x->t[i].kind == T_SPACE || x->t[i].kind == T_COMMENT))
		i++;
	return i;
}

static void put(struct tr *x, const char *s, size_t n)
{
	if (buf_append(&x->out, s, n) != HAT_OK)
		x->failed = true;
}

static void puts_(struct tr *x, const char *s)
{
	put(x, s, strlen(s));
}

static void emit(struct tr *x, int from, int to);

/* Tokens [from, to) as they are. */
static void copy(struct tr *x, int from, int to)
{
	for (int i = from; i < to; i++)
		put(x, x->t[i].p, x->t[i].n);
}

/* The top-level commas of the parenthesis at open, as token indices
** (count returned; at most max stored). */
static int arg_commas(const struct tr *x, int open, int *commas, int max)
{
	int close = x->t[open].match;
	int count = 0;

	for (int i = open + 1; i < close; i++) {
		if (punct_is(&x->t[i], '(') && x->t[i].match > i) {
			i = x->t[i].match;
			continue;
		}
		if (punct_is(&x->t[i], ',')) {
			if (count < max)
				commas[count] = i;
			count++;
		}
	}
	return count;
}

/* A function call at word i whose '(' is at open: true when rewritten
** (and written out), with *resume the token after its ')'. */
static bool rewrite_call(struct tr *x, int i, int open, int *resume)
{
	const struct tok *w = &x->t[i];
	int close = x->t[open].match;
	int commas[2];
	int nc;

	if (close < 0)
		return false;
	nc = arg_commas(x, open, commas, 2);
	if ((word_is(w, "max") || word_is(w, "min")) && nc >= 1) {
		puts_(x, word_is(w, "max") ? "greatest" : "least");
		emit(x, open, close + 1);
	} else if (word_is(w, "ifnull")) {
		puts_(x, "coalesce");
		emit(x, open, close + 1);
	} else if (word_is(w, "hex") && nc == 0) {
		puts_(x, "upper(encode(");
		emit(x, open + 1, close);
		puts_(x, ", 'hex'))");
	} else if (word_is(w, "json_extract") && nc == 1) {
		puts_(x, "hat_json_extract");
		emit(x, open, close + 1);
	} else if (word_is(w, "date") && nc == 1) {
		int m = next(x, commas[0] + 1);

		if (m >= close || x->t[m].kind != T_STRING || x->t[m].n != 11 ||
		    strncasecmp(x->t[m].p, "'unixepoch'", 11) != 0)
			return false;
		puts_(x, "to_char(to_timestamp(");
		emit(x, open + 1, commas[0]);
		puts_(x, ") AT TIME ZONE 'UTC', 'YYYY-MM-DD')");
	} else {
		return false;
	}
	*resume = close + 1;
	return true;
}

/* CREATE TABLE at i: written out in PostgreSQL's form; returns the token
** after the table's options. */
static int rewrite_table(struct tr *x, int i)
{
	int open = i;
	int close, end;
	bool without_rowid = false;
	const struct tok *pk = NULL;
	int item;

	while (open < x->n && !punct_is(&x->t[open], '('))
		open++;
	close = open < x->n ? x->t[open].match : -1;
	if (close < 0) {
		x->failed = true;
		return x->n;
	}
	for (end = close + 1; end < x->n && !punct_is(&x->t[end], ';'); end++)
		if (word_is(&x->t[end], "ROWID"))
			without_rowid = true;
	copy(x, i, open + 1);
	/* Each column or constraint, split at the top-level commas. */
	item = open + 1;
	while (item < close) {
		int stop = item;
		int a, b, c;

		while (stop < close && !punct_is(&x->t[stop], ',')) {
			if (punct_is(&x->t[stop], '(') && x->t[stop].match > stop)
				stop = x->t[stop].match;
			stop++;
		}
		/* "name INTEGER PRIMARY KEY ...": SQLite's rowid alias. */
		a = next(x, item);
		b = next(x, a + 1);
		c = next(x, b + 1);
		if (a < stop && b < stop && c < stop && x->t[a].kind == T_WORD &&
		    word_is(&x->t[b], "INTEGER") && word_is(&x->t[c], "PRIMARY")) {
			int key = next(x, c + 1);

			pk = &x->t[a];
			emit(x, item, b);
			puts_(x, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
			emit(x, key + 1, stop);
		} else {
			emit(x, item, stop);
		}
		if (stop < close)
			puts_(x, ",");
		item = stop + 1;
	}
	if (!without_rowid) {
		if (pk) {
			puts_(x, ",\n  rowid BIGINT GENERATED ALWAYS AS (");
			put(x, pk->p, pk->n);
			puts_(x, ") STORED UNIQUE\n");
		} else {
			puts_(x, ",\n  rowid BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE\n");
		}
	}
	puts_(x, ")");
	return end;
}

/* CREATE TRIGGER at i, which must be of the append-only kind; returns the
** token after its END. */
static int rewrite_trigger(struct tr *x, int i)
{
	int begin = i;
	int raise, open, msg, end;

	while (begin < x->n && !word_is(&x->t[begin], "BEGIN"))
		begin++;
	raise = next(x, next(x, begin + 1) + 1); /* BEGIN SELECT RAISE */
	open = next(x, raise + 1);
	msg = open < x->n ? next(x, next(x, next(x, open + 1) + 1) + 1) : x->n;
	for (end = begin; end < x->n && !word_is(&x->t[end], "END"); end++)
		;
	if (begin >= x->n || raise >= x->n || !word_is(&x->t[raise], "RAISE") ||
	    open >= x->n || !punct_is(&x->t[open], '(') || msg >= x->n ||
	    x->t[msg].kind != T_STRING || end >= x->n) {
		log_error("store: a trigger PostgreSQL's translation does not know");
		x->failed = true;
		return x->n;
	}
	copy(x, i, begin);
	puts_(x, "FOR EACH ROW EXECUTE FUNCTION hat_refuse(");
	put(x, x->t[msg].p, x->t[msg].n);
	puts_(x, ")");
	return end + 1;
}

/* The end of the statement that starts at or before i: its ';' or n. */
static int statement_end(const struct tr *x, int i)
{
	while (i < x->n && !punct_is(&x->t[i], ';'))
		i++;
	return i;
}

static bool is_clause_word(const struct tok *k)
{
	static const char *const words[] = { "WHERE", "GROUP", "ORDER", "LIMIT", "LEFT",
		"RIGHT", "INNER", "CROSS", "JOIN", "UNION", "EXCEPT", "INTERSECT", "HAVING",
		"ON", "WINDOW", "OFFSET", "NATURAL", "FULL", NULL };

	for (int i = 0; words[i]; i++)
		if (word_is(k, words[i]))
			return true;
	return false;
}

/* "FROM (SELECT ...)" with no name after it: PostgreSQL wants one. */
static bool subquery_needs_alias(const struct tr *x, int prev, int open)
{
	int close = x->t[open].match;
	int first = next(x, open + 1);
	int after;

	if (prev < 0 || close < 0 || !(word_is(&x->t[prev], "FROM") || word_is(&x->t[prev], "JOIN")))
		return false;
	if (first >= close || !word_is(&x->t[first], "SELECT"))
		return false;
	after = next(x, close + 1);
	return after >= x->n || x->t[after].kind != T_WORD || is_clause_word(&x->t[after]);
}

static void emit(struct tr *x, int from, int to)
{
	int conflict_at = -1; /* where an INSERT OR IGNORE's clause goes */
	int prev = -1;        /* the last token that is not space or comment */
	int subq = 0;

	for (int i = from; i < to && !x->failed; i++) {
		const struct tok *k = &x->t[i];
		int j;

		if (i == conflict_at) {
			puts_(x, " ON CONFLICT DO NOTHING");
			conflict_at = -1;
		}
		if (k->kind != T_SPACE && k->kind != T_COMMENT) {
			int p = prev;

			prev = i;
			if (punct_is(k, '(') && subquery_needs_alias(x, p, i)) {
				char name[24];
				int len = snprintf(name, sizeof name, " AS hat_sub%d", ++subq);

				emit(x, i, k->match + 1);
				put(x, name, (size_t)len);
				i = k->match;
				prev = i;
				continue;
			}
		}
		switch (k->kind) {
		case T_PARAM:
			if (k->n > 1) {
				int v = (int)strtol(k->p + 1, NULL, 10); /* digits, from lex */

				if (v > x->max_param)
					x->max_param = v;
				puts_(x, "$");
				put(x, k->p + 1, k->n - 1);
			} else {
				char num[16];
				int len = snprintf(num, sizeof num, "$%d", ++x->max_param);

				put(x, num, (size_t)len);
			}
			continue;
		case T_WORD:
			break;
		default:
			put(x, k->p, k->n);
			continue;
		}
		j = next(x, i + 1);
		if (j < to && punct_is(&x->t[j], '(') && rewrite_call(x, i, j, &i)) {
			i--;
			continue;
		}
		if (word_is(k, "CREATE") && j < to && word_is(&x->t[j], "TABLE")) {
			i = rewrite_table(x, i) - 1;
		} else if (word_is(k, "CREATE") && j < to && word_is(&x->t[j], "TRIGGER")) {
			i = rewrite_trigger(x, i) - 1;
		} else if (word_is(k, "INSERT") && j < to && word_is(&x->t[j], "OR")) {
			int what = next(x, j + 1);

			puts_(x, "INSERT");
			if (what < to && word_is(&x->t[what], "IGNORE")) {
				conflict_at = statement_end(x, what);
				i = what;
			} else {
				log_error("store: INSERT OR has no PostgreSQL translation");
				x->failed = true;
			}
		} else if (word_is(k, "IS") && j < to && !word_is(&x->t[j], "NULL") &&
			   !word_is(&x->t[j], "TRUE") && !word_is(&x->t[j], "FALSE")) {
			/* SQLite's IS and IS NOT compare any two values, NULL
			** or not. */
			int after = j;

			if (word_is(&x->t[j], "NOT"))
				after = next(x, j + 1);
			if (after < to && word_is(&x->t[after], "NULL")) {
				put(x, k->p, k->n);
			} else if (after != j) {
				puts_(x, "IS DISTINCT FROM ");
				i = after - 1;
			} else {
				puts_(x, "IS NOT DISTINCT FROM");
			}
		} else if (word_is(k, "BEGIN") && j < to &&
			   (word_is(&x->t[j], "IMMEDIATE") || word_is(&x->t[j], "DEFERRED") ||
			    word_is(&x->t[j], "EXCLUSIVE"))) {
			/* SQLite's lock modes; a PostgreSQL writer's lock is the
			** backend's (pg.c). */
			puts_(x, "BEGIN");
			i = j;
		} else if (word_is(k, "INTEGER")) {
			puts_(x, "BIGINT");
		} else if (word_is(k, "REAL")) {
			puts_(x, "DOUBLE PRECISION");
		} else if (word_is(k, "BLOB")) {
			puts_(x, "BYTEA");
		} else if (word_is(k, "LIKE")) {
			puts_(x, "ILIKE");
		} else if (word_is(k, "sqlite_schema") || word_is(k, "sqlite_master")) {
			puts_(x, "pg_catalog.pg_class");
		} else if (word_is(k, "AS") && j < to && x->t[j].kind == T_WORD) {
			bool upper = false;

			for (size_t c = 0; c < x->t[j].n; c++)
				upper |= isupper((unsigned char)x->t[j].p[c]) != 0;
			put(x, k->p, k->n);
			emit(x, i + 1, j);
			if (upper && !word_is(&x->t[j], "INTEGER") && !word_is(&x->t[j], "REAL") &&
			    !word_is(&x->t[j], "TEXT") && !word_is(&x->t[j], "BLOB") &&
			    !word_is(&x->t[j], "IDENTITY")) {
				puts_(x, "\"");
				put(x, x->t[j].p, x->t[j].n);
				puts_(x, "\"");
				i = j;
			} else {
				i = j - 1;
			}
		} else {
			put(x, k->p, k->n);
		}
	}
	if (conflict_at == to)
		puts_(x, " ON CONFLICT DO NOTHING");
}

char *pg_sql_translate(const char *sql, int *nparams)
{
	struct tr x = { 0 };
	char *out = NULL;

	x.n = lex(sql, &x.t);
	if (x.n < 0)
		return NULL;
	buf_init(&x.out, SQL_CAP);
	emit(&x, 0, x.n);
	put(&x, "", 1);
	if (!x.failed) {
		out = x.out.data;
		x.out.data = NULL;
	}
	buf_free(&x.out);
	free(x.t);
	if (out && nparams)
		*nparams = x.max_param;
	return out;
}
