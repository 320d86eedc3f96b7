// A test fixture, compiled with c++ by the tests (not a package target): a C++ plugin
// that writes its entry point by hand without extern "C", so that the compiler exports
// it under a mangled name (_Z16lambda_plugin_v1v, or _ZN7plugins16lambda_plugin_v1Ev
// with -DIN_NAMESPACE). The host must say to compile it with C linkage.
#include <lambda_plugin.h>

#ifdef IN_NAMESPACE
namespace plugins {
#endif

LAMBDA_EXPORT const lambda_plugin_descriptor *lambda_plugin_v1() {
    static const lambda_plugin_descriptor descriptor = {
        LAMBDA_PLUGIN_MAGIC, LAMBDA_PLUGIN_ABI_MAJOR, LAMBDA_PLUGIN_ABI_MINOR,
        (uint32_t)sizeof(lambda_plugin_descriptor), 0, "mangled", "1.0.0", NULL, NULL, NULL};
    return &descriptor;
}

#ifdef IN_NAMESPACE
}  // namespace plugins
#endif

extern "C" LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
    return invocation->host->respond(invocation, "{}", 2);
}
