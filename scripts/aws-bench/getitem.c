/*
 * The benchmark's C plugin (scripts/aws-bench.sh): one DynamoDB GetItem per invocation,
 * signed by the host, as the Visits example calls UpdateItem. Answers the item's JSON.
 * BENCH_TABLE names the table; the key is {"id": {"S": "home"}}.
 */
#include <lambda_plugin.h>
#include <stdio.h>
#include <stdlib.h>

static char request[512];
static int request_size;

static lambda_status init(const lambda_host_api *host, void **state) {
    (void)host;
    (void)state;
    const char *table = getenv("BENCH_TABLE");
    request_size = snprintf(request, sizeof request, "{\"TableName\":\"%s\",\"Key\":{\"id\":{\"S\":\"home\"}}}",
                            table ? table : "Bench");
    return LAMBDA_OK;
}

LAMBDA_PLUGIN_DEFINE("aws-bench-getitem", "1.0.0", init, NULL)

LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
    const lambda_host_api *host = invocation->host;
    lambda_http_response response;
    lambda_status status = lambda_aws_json(host, invocation, "dynamodb", "DynamoDB_20120810.GetItem", request,
                                           (size_t)request_size, &response);
    if (status != LAMBDA_OK) return host->fail(invocation, "Bench.NotSent", lambda_http_error(host, invocation));
    if (response.status != 200) return host->fail(invocation, "Bench.Status", response.body);
    return host->respond(invocation, response.body, response.body_size);
}
