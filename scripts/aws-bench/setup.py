"""Creates the benchmark's table and item in a moto server (scripts/aws-bench.sh)."""
import sys

import boto3

endpoint, table = sys.argv[1], sys.argv[2]
client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench-secret")
client.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                    BillingMode="PAY_PER_REQUEST")
client.put_item(TableName=table, Item={"id": {"S": "home"}, "count": {"N": "41"}})
