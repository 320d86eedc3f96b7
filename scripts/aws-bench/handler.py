"""The benchmark's Python handler (scripts/aws-bench.sh): one DynamoDB GetItem per
invocation through boto3, the client made at import as Lambda's docs advise."""
import os

import boto3

table = os.environ.get("BENCH_TABLE", "Bench")
dynamodb = boto3.client("dynamodb")


def handler(event, context):
    return dynamodb.get_item(TableName=table, Key={"id": {"S": "home"}})["Item"]
