/*
** pin.h: the rules for a witness's personal PIN.
**
** A PIN lets a colleague signed in on the same device witness quickly.
** It is short by design, so it is only ever accepted together with a
** live session of its owner on the device, and behind the witness
** throttle and a lock of its own (auth/auth.c); these rules keep out the
** PINs that are guessed first.  Pure functions: no I/O, no clock.
*/
#ifndef HAT_CORE_PIN_H
#define HAT_CORE_PIN_H

#include <stddef.h>

#define PIN_MIN_DIGITS 6
#define PIN_MAX_DIGITS 12

enum pin_fault {
	PIN_OK = 0,
	PIN_LENGTH,      /* fewer than PIN_MIN_DIGITS or more than PIN_MAX_DIGITS */
	PIN_NOT_DIGITS,  /* something other than the digits 0-9 */
	PIN_ONE_DIGIT,   /* the same digit throughout: 000000, 777777 */
	PIN_SEQUENCE,    /* each digit one up (123456) or one down (987654) from the last */
};

/* Which rule pin breaks, or PIN_OK.  pin: NUL-terminated, borrowed; NULL is
** PIN_LENGTH. */
enum pin_fault pin_check(const char *pin);

/* The rule in plain words with its numbers ("A PIN is 6 to 12 digits."),
** for the person choosing one; a static string. */
const char *pin_fault_message(enum pin_fault f);

#endif
