/* schema.h -- the model format as data: one table per section, and the
 * walker that reads a YAML mapping against a table.
 *
 * A table lists each key of a section: its type, whether it is required or
 * its default, its range, its enum words, where its value goes in the
 * model's structs (offsetof), and a line of meaning.  The walker does for
 * every key what load.c once did by hand for each: unknown keys (with a
 * "did you mean" by edit distance), duplicate keys (naming the first one's
 * line), required keys, units and ranges.  Rules that involve several keys
 * stay as code: a table's `rule` runs after its keys are read.
 *
 * The same tables drive `eddy schema` (a JSON Schema for editors) and the
 * key tables of docs/model.md (schema_doc.c), so the three cannot drift.
 * The model's tables are in schema_model.c. */
#ifndef EDDY_SCHEMA_H
#define EDDY_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <yaml.h>

#include "model.h"
#include "yamldoc.h"

typedef enum sk_type {
    SK_STRING,   /* free text, strdup'ed into a char * */
    SK_DURATION, /* simtime */
    SK_RATE,     /* double, per second */
    SK_FRACTION, /* double in [0, 1]; `40%` or 0.4 */
    SK_PERCENT,  /* double, in percent (`100%`, may exceed 100) */
    SK_COUNT,    /* long (int or double with SKF_INT / SKF_DOUBLE) */
    SK_NUMBER,   /* double */
    SK_FACTOR,   /* double, `10` or `10x` */
    SK_BOOL,     /* bool */
    SK_ENUM,     /* int: index of the word + enum_base (bool with SKF_BOOL) */
    SK_FLAGS,    /* unsigned: a list of words, OR of their bits */
    SK_REF,      /* int: index of a service, client or cache, by name */
    SK_NAME,     /* a name read by the table's rule (kind in ref) */
    SK_MAP,      /* an embedded struct read with `sub` */
    SK_LIST,     /* a list of `sub`: pointer at off, size_t count at count */
    SK_ENTITIES, /* a mapping of names to `sub`, stored as SK_LIST */
    SK_CUSTOM,   /* read by `read`; described by `what` and `json` */
} sk_type;

/* What a name refers to (SK_REF, SK_ENTITIES). */
typedef enum sk_kind {
    KIND_NONE, KIND_SERVICE, KIND_CLIENT, KIND_CACHE, KIND_AUTOSCALER,
    KIND_QUEUE,    /* a broker queue (`queues:`) */
    KIND_CONSUMER, /* a consumer group (`consumers:`) */
    KIND_INFRA,    /* an infra entry (`infra:`) */
    KIND_NKINDS
} sk_kind;

enum {
    SKF_REQUIRED = 1 << 0,
    SKF_POSITIVE = 1 << 1,  /* greater than zero (durations, numbers) */
    SKF_NONE = 1 << 2,      /* `none` is accepted, stored as 0 */
    SKF_UNLIMITED = 1 << 3, /* `unlimited` is accepted (MODEL_UNLIMITED) */
    SKF_OFF = 1 << 4,       /* `off` is accepted, stored as -1 */
    SKF_INT = 1 << 5,       /* a count stored as int */
    SKF_DOUBLE = 1 << 6,    /* a count stored as double */
    SKF_BOOL = 1 << 7,      /* an enum stored as bool (index != 0) */
    SKF_TRUE = 1 << 8,      /* a boolean that must be true (`down: false` does nothing) */
    SKF_EXCL = 1 << 9,      /* the range excludes min and max */
};

typedef struct schema_ctx schema_ctx;
typedef struct schema_table schema_table;
typedef struct schema_key schema_key;

/* A key's key and value nodes in the mapping read, NULL if absent. */
typedef struct sk_field {
    yaml_node_t *key, *val;
} sk_field;

typedef int (*sk_read_fn)(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj);

struct schema_key {
    const char *name;
    sk_type type;
    unsigned flags;
    size_t off;       /* where the value goes, in the table's struct */
    size_t pos;       /* where its position goes, plus one; 0: nowhere */
    size_t count;     /* SK_LIST, SK_ENTITIES: where the size_t count goes */
    double min, max;  /* the range; max 0: none.  Durations in seconds */
    const char *const *words; /* SK_ENUM, SK_FLAGS; NULL-terminated */
    const unsigned *bits;     /* SK_FLAGS: each word's bit (default 1 << i) */
    int enum_base;            /* SK_ENUM: the value of the first word */
    sk_kind kind;             /* SK_REF, SK_NAME */
    const schema_table *sub;  /* SK_MAP, SK_LIST, SK_ENTITIES */
    const char *def;          /* the default, as a user would write it */
    const char *def_doc;      /* the default in words, when a rule sets it */
    const char *hint;         /* what the key is, for "missing key 'x' (hint)" */
    const char *doc;          /* one line of meaning (docs/model.md) */
    unsigned only;            /* variants: selector values taking this key (bits); 0: all */
    /* A scalar form of a mapping or list key (`retry: off`, `service_time:
     * 5ms`, `rate: 800/s`): its type, words, and how it is stored. */
    sk_type alt;
    const char *const *alt_words;
    sk_read_fn alt_read;
    /* SK_CUSTOM: the reader, its type in words and as JSON Schema. */
    sk_read_fn read;
    const char *what;
    const char *json;
    int pass; /* read order within the table (lower first; ties in table order) */
};

struct schema_table {
    const char *id;       /* docs marker and JSON Schema $defs name */
    const char *noun;     /* "client", "retry policy": for messages */
    const char *expected; /* "a mapping with 'call' and 'rate' or 'users'" */
    const schema_key *keys; /* ended by a key with no name */
    size_t size;          /* the struct's size (lists, entities) */
    size_t name_off;      /* entities: where the name goes, plus one */
    size_t pos_off;       /* where the mapping's position goes, plus one */
    size_t on_off;        /* a bool set true when the mapping is given, plus one */
    sk_kind kind;         /* entities: what the names name */
    const char *selector; /* variants: the key whose enum value selects the keys taken */
    void (*init)(void *obj);
    int (*rule)(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *map, const char *path);
    bool min_one;         /* a list or entities mapping must not be empty */
};

/* A name resolved once every entity is known. */
typedef struct sk_ref {
    sk_kind kind;
    int *slot;
    yaml_node_t *node;
    char *path;
} sk_ref;

/* Entity names seen, in a hash: first position per name (duplicates). */
typedef struct sk_name {
    const char *name;
    sk_kind kind;
    int line, col;
} sk_name;

struct schema_ctx {
    yamldoc y;
    model *m;
    sk_ref *refs;
    size_t nrefs, caprefs;
    sk_name *names; /* open addressing */
    size_t nnames, capnames;
    bool read[KIND_NKINDS]; /* sections read: refs to them resolve at once */
    /* Patch mode (schema_check_patch): keys are checked, values are not. */
    yaml_document_t *base;
};

#define SK_PATH 256

/* Read mapping n (or its scalar form) against table t into obj.  `anchor`
 * is where "missing key" errors point (an entity's name, or n). */
int schema_read(schema_ctx *S, const schema_table *t, yaml_node_t *n, yaml_node_t *anchor, const char *path,
                void *obj);
/* Resolve the pending references; an unknown name gets a "did you mean". */
int schema_resolve(schema_ctx *S);
/* A reference to a name of `kind`: resolved now if that section has been
 * read, else at schema_resolve. */
int schema_ref(schema_ctx *S, sk_kind kind, int *slot, yaml_node_t *node, const char *path);
void schema_ctx_free(schema_ctx *S);

/* Check a patch (RFC 7386 merge patch, patch node `pn` of `patch`) against
 * table t before it is merged into `base`: unknown and duplicate keys, and
 * entities it names that `base` lacks ("unknown service 'dbb' (did you mean
 * 'db'?)").  Values are checked after the merge, by the loader. */
int schema_check_patch(schema_ctx *S, const schema_table *t, yaml_document_t *patch, int pn, int base_node);

/* Convert scalar node n by k's type into obj (for readers and rules). */
int schema_conv(schema_ctx *S, const schema_key *k, yaml_node_t *n, const char *path, void *obj);
/* What a key's value is, in words: "a duration with a unit, such as 2s". */
const char *schema_what(const schema_key *k);
/* Apply every default of table t to obj. */
void schema_defaults(schema_ctx *S, const schema_table *t, void *obj);

/* Helpers for rules. */
/* The value of `key` in mapping map (and its key node), or NULL. */
yaml_node_t *sk_get(schema_ctx *S, yaml_node_t *map, const char *key, yaml_node_t **keynode);
/* A rule's field by key name. */
const sk_field *sk_field_of(const schema_table *t, const sk_field *f, const char *name);
#define sk_fail(S, n, ...) yd_fail(&(S)->y, (n), __VA_ARGS__)
yaml_node_t *sk_node(schema_ctx *S, int id);
void sk_join(char *out, const char *path, const char *key);
/* The closest of the n names in `cands` to s within a small edit distance,
 * or NULL (always NULL when n is 0: an empty list has no suggestion). */
const char *schema_suggest(const char *s, const char *const *cands, size_t n);
/* The same over a NULL-terminated list of words (enum words, units).  A
 * separate function so that a count that happens to be 0 never makes
 * schema_suggest read a list as NULL-terminated when it is not. */
const char *schema_suggest_words(const char *s, const char *const *words);
/* " (did you mean '2s'?)" for a misspelled unit, or "". */
const char *schema_unit_hint(const char *s, sk_type type, char *buf, size_t size);

/* The root table: the whole model; and every table, NULL-terminated. */
extern const schema_table schema_model;
extern const schema_table *const schema_tables[];

/* The model format as a JSON Schema, draft 2020-12 (schema_doc.c). */
struct json_t *schema_json(void);
/* A table's keys as a Markdown table: key | type | default | meaning. */
void schema_markdown(FILE *out, const schema_table *t);
/* Write `text` (docs/model.md) to out with the block between each
 * `<!-- schema:ID -->` and `<!-- /schema:ID -->` replaced by table ID's keys.
 * Returns 0; the number of tables that have no block (named in `missing`);
 * or -1 (a block unclosed or naming no table, in `missing`). */
int schema_docs(const char *text, FILE *out, char *missing, size_t size);
const char *schema_kind_name(sk_kind k);
/* The kind of the entity named `name` (clients, services, caches,
 * autoscalers: every entities section with a kind), or -1 if none. */
int schema_name_kind(schema_ctx *S, const char *name);
/* Every entity name read so far, in no useful order; free the array. */
size_t schema_entity_names(schema_ctx *S, const char ***out);

#endif
