/*
 * Echo: answers every invocation with its event, byte for byte.
 *
 *   _HANDLER=libEcho.so
 */
#include <lambda_plugin.h>

LAMBDA_PLUGIN_DEFINE("echo", "1.0.0", NULL, NULL)

LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
    return invocation->host->respond(invocation, invocation->payload, invocation->payload_size);
}
