#!/usr/bin/env python3
"""validate_schema.py SCHEMA.json FILE.yaml... -- validate YAML files against
the JSON Schema that `eddy schema` prints, with python3-jsonschema (Debian).

Prints one line per file, "ok FILE" or "invalid FILE: PATH: MESSAGE", and
exits 1 if any file is invalid.  The schema itself is checked first against
the draft 2020-12 metaschema."""
import json
import sys

import jsonschema
import yaml


class Loader(yaml.SafeLoader):
    """YAML 1.2's booleans (true/false only), as eddy and the YAML language
    server read a model: `on:` is a key, not True."""


Loader.yaml_implicit_resolvers = {
    k: [(tag, regexp) for tag, regexp in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for first in "tTfF":
    Loader.add_implicit_resolver("tag:yaml.org,2002:bool", __import__("re").compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list(first))

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for path in sys.argv[2:]:
    doc = yaml.load(open(path), Loader=Loader)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        bad += 1
        e = errors[0]
        where = ".".join(str(p) for p in e.absolute_path) or "(top)"
        print(f"invalid {path}: {where}: {e.message[:300]}")
    else:
        print(f"ok {path}")
sys.exit(1 if bad else 0)
