/* xml_text.h -- escaping text for the XML eddy writes (SVG, HTML, JUnit, MEF).
 *
 * One function, so every XML and HTML writer escapes the same way. */
#ifndef EDDY_OUTPUT_XML_TEXT_H
#define EDDY_OUTPUT_XML_TEXT_H

#include <stdio.h>

/* Write s with XML's special characters (& < > " ') escaped, so it is safe
 * in element text and in attribute values, in XML and in HTML alike.
 * Control characters that XML 1.0 forbids (all below 0x20 except tab,
 * newline and carriage return) become '?'.  A NULL s writes nothing. */
void xml_text(FILE *f, const char *s);

#endif
