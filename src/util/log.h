/*
** log.h: one-line logging to standard error.
**
** Lines are "<UTC time> <level> <message>".  Never log a password, a token or
** a patient's identifying details; request lines carry the method, path,
** status, milliseconds and the username only.  Thread-safe: each line is
** written with a single write(2).
*/
#ifndef HAT_UTIL_LOG_H
#define HAT_UTIL_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the lowest level that is printed (default LOG_INFO). */
void log_set_level(enum log_level level);

/* Prints one line at the given level; printf-style. */
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
