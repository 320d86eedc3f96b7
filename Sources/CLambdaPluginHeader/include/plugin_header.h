/*
 * CLambdaPluginHeader: the text of lambda_plugin.h and of its C++ wrapper lambda_plugin.hpp, embedded in the developer tools when
 * they are built, so that `lambda-host package layer` puts in the layer's include/
 * exactly the header the host was built with, wherever the tools run from.
 */
#ifndef CLAMBDA_PLUGIN_HEADER_H
#define CLAMBDA_PLUGIN_HEADER_H

#include <stddef.h>

/* The header's bytes (not NUL-terminated); stores their count in *length. */
const char *lh_plugin_header(size_t *length);

/* The same for lambda_plugin.hpp, the C++ wrapper that includes it. */
const char *lh_plugin_cxx_header(size_t *length);

#endif
