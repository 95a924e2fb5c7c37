/* value.c — names of the value types, for messages shown to form authors. */
#include "core/value.h"

/* French name of t ("nombre", "oui/non", …); "type inconnu" for anything else. Static string. */
const char *vtype_name(vtype t)
{
	switch (t) {
	case T_NUM:
		return "nombre";
	case T_BOOL:
		return "oui/non";
	case T_STR:
		return "texte";
	case T_DATE:
		return "date";
	case T_SET:
		return "liste de choix";
	case T_ERROR:
		break;
	}
	return "type inconnu";
}
