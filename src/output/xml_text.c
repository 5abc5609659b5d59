/* xml_text.c -- escaping text for the XML eddy writes (xml_text.h).
 *
 * Hand-written rather than through libxml2's writer: five escapes are all
 * these documents need, and the writers stream with stdio.  The apostrophe
 * is written as &#39; rather than &apos;, because the same text goes into
 * HTML pages, where &apos; is not defined in HTML 4. */
#include "xml_text.h"

void xml_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            fputc(c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? '?' : c, f);
        }
    }
}
