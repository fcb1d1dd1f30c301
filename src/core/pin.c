/*
** pin.c: see pin.h.
*/
#include <stdbool.h>
#include <string.h>

#include "pin.h"

#define TEXT_(x) #x
#define TEXT(x) TEXT_(x)

enum pin_fault pin_check(const char *pin)
{
	size_t n = pin ? strlen(pin) : 0;
	bool same = true;
	bool up = true;
	bool down = true;

	/* Length first: a person typing a short PIN is told the length, not a
	** rule about its digits. */
	if (n < PIN_MIN_DIGITS || n > PIN_MAX_DIGITS)
		return PIN_LENGTH;
	for (size_t i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return PIN_NOT_DIGITS;
	for (size_t i = 1; i < n; i++) {
		same = same && pin[i] == pin[0];
		up = up && pin[i] == pin[i - 1] + 1;
		down = down && pin[i] == pin[i - 1] - 1;
	}
	if (same)
		return PIN_ONE_DIGIT;
	if (up || down)
		return PIN_SEQUENCE;
	return PIN_OK;
}

const char *pin_fault_message(enum pin_fault f)
{
	switch (f) {
	case PIN_OK:
		return "The PIN is acceptable.";
	case PIN_LENGTH:
		return "A PIN is " TEXT(PIN_MIN_DIGITS) " to " TEXT(PIN_MAX_DIGITS) " digits.";
	case PIN_NOT_DIGITS:
		return "A PIN is digits only (0 to 9).";
	case PIN_ONE_DIGIT:
		return "A PIN may not be one digit repeated (like 000000).";
	case PIN_SEQUENCE:
		return "A PIN may not be a run of digits up or down (like 123456 or 987654).";
	}
	return "The PIN breaks a rule.";
}
