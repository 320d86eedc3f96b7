// A test fixture, compiled with c++ by the tests (not a package target): a C++ plugin
// whose entry point comes from LAMBDA_PLUGIN_DEFINE, which must give it C linkage.
#include <lambda_plugin.h>

#include <string>

namespace {
std::string greeting(const lambda_invocation *invocation) {
    return "{\"cxx\":" + std::string(invocation->payload, invocation->payload_size) + "}";
}
}  // namespace

LAMBDA_PLUGIN_DEFINE("cxx", "1.0.0", NULL, NULL)

extern "C" LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
    std::string answer = greeting(invocation);
    return invocation->host->respond(invocation, answer.data(), answer.size());
}

// A second handler written without extern "C": exported under a mangled name, so that
// _HANDLER=libcxx.so:greet must get the advice to declare it extern "C".
LAMBDA_EXPORT lambda_status greet(const lambda_invocation *invocation) { return handler(invocation); }
