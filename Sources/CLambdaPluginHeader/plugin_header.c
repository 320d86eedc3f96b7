#include "plugin_header.h"

/* C23's #embed; clang accepts it in earlier modes as an extension. */
#pragma clang diagnostic ignored "-Wc23-extensions"
static const char header[] = {
#embed "../CLambdaPlugin/include/lambda_plugin.h"
};

static const char cxx_header[] = {
#embed "../CLambdaPlugin/include/lambda_plugin.hpp"
};

const char *lh_plugin_header(size_t *length) {
    *length = sizeof header;
    return header;
}

const char *lh_plugin_cxx_header(size_t *length) {
    *length = sizeof cxx_header;
    return cxx_header;
}
