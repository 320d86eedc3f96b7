/*
 * NoEntry (test fixture): a shared object with a handler but without lambda_plugin_v1,
 * as a library built without lambda_plugin.h would be.
 */
__attribute__((visibility("default"))) int handler(const void *invocation) {
    (void)invocation;
    return 0;
}
