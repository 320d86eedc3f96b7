"""Checks CloudWatch Embedded Metric Format documents, one per line of a file.

    python3 validate_emf.py SCHEMA LINES

Each line must be one JSON object and nothing else, valid against SCHEMA (emf-schema.json),
whose every dimension name is a root member with a string value of 1 to 1024 characters
and every metric name a root member with a number or an array of at most 100 numbers
(the spec's "target members"), carrying "level": "INFO". Prints each problem and exits 1
if there is any; prints the number of documents checked otherwise.
"""
import json
import sys

import jsonschema


def problems(document, validator):
    for error in validator.iter_errors(document):
        yield "schema: " + error.message
    if not isinstance(document, dict) or not isinstance(document.get("_aws"), dict):
        return
    if document.get("level") != "INFO":
        yield 'no "level": "INFO" member'
    for directive in document["_aws"].get("CloudWatchMetrics", []):
        if not isinstance(directive, dict):
            continue
        for dimension_set in directive.get("Dimensions", []):
            for key in dimension_set if isinstance(dimension_set, list) else []:
                value = document.get(key)
                if not isinstance(value, str) or not 1 <= len(value) <= 1024:
                    yield f"dimension {key!r}: the root member must be a string of 1 to 1024 characters, is {value!r}"
        for metric in directive.get("Metrics", []):
            name = metric.get("Name") if isinstance(metric, dict) else None
            value = document.get(name)
            numbers = value if isinstance(value, list) else [value]
            if isinstance(value, list) and len(value) > 100:
                yield f"metric {name!r}: {len(value)} values, more than 100"
            if not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers):
                yield f"metric {name!r}: the root member must be a number or an array of numbers, is {value!r}"


def main():
    with open(sys.argv[1]) as f:
        validator = jsonschema.Draft7Validator(json.load(f))
    failed = False
    count = 0
    with open(sys.argv[2]) as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            try:
                document = json.loads(line)
            except ValueError as error:
                print(f"line {number}: not one JSON document: {error}")
                failed = True
                continue
            count += 1
            for problem in problems(document, validator):
                print(f"line {number}: {problem}")
                failed = True
    print(f"{count} documents checked")
    sys.exit(1 if failed or count == 0 else 0)


if __name__ == "__main__":
    main()
