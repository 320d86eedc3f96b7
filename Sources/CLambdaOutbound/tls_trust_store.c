/*
 * The lazy trust store: the CA bundle read once, its PEM blocks decoded into one DER
 * buffer and indexed by a hash of each subject, and an X509_LOOKUP_METHOD that parses a
 * certificate only when a chain asks for its subject. See tls_trust_store.h.
 */
#include "tls_trust_store.h"

#include "lh_outbound.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One certificate of the bundle: its DER and subject Name inside the DER buffer. */
typedef struct trust_entry {
    uint32_t der_offset, der_length;
    uint32_t name_hash;
} trust_entry;

/* The index, built once and never changed after: entries, and an open-addressing table
 * of entry numbers + 1 (0: empty) keyed by name_hash. */
typedef struct trust_index {
    uint8_t *der;
    trust_entry *entries;
    uint32_t count;
    uint32_t *slots;
    uint32_t mask;
} trust_index;

static trust_index installed;
/* Certificates parsed on demand (diagnostics). */
static int parsed;

/* Bundles larger than this are left to OpenSSL: a real one is about 200 KB. */
#define LARGEST_BUNDLE (16u << 20)

static const char begin_marker[] = "-----BEGIN ";
static const char certificate_marker[] = "CERTIFICATE-----";
static const char end_marker[] = "-----END CERTIFICATE-----";

/* The whole file in one allocation (the caller frees it), or NULL. */
static uint8_t *read_bundle(const char *path, size_t *size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat status;
    uint8_t *text = NULL;
    if (fstat(fd, &status) == 0 && status.st_size > 0 && (uint64_t)status.st_size <= LARGEST_BUNDLE) {
        size_t want = (size_t)status.st_size, got = 0;
        text = malloc(want);
        while (text != NULL && got < want) {
            ssize_t n = read(fd, text + got, want - got);
            if (n <= 0) {
                free(text);
                text = NULL;
            } else got += (size_t)n;
        }
        *size = got;
    }
    close(fd);
    return text;
}

/* Decodes and indexes every block of `text` into *index; 0 when any block is not a plain
 * CERTIFICATE the walker reads, or there is none (the caller then loads eagerly). */
static int build_index(const uint8_t *text, size_t size, trust_index *index) {
    uint32_t capacity = 0;
    for (const uint8_t *p = text; (p = memmem(p, size - (size_t)(p - text), begin_marker, 11)) != NULL; p += 11)
        capacity++;
    if (capacity == 0) return 0;
    index->der = malloc(size);
    index->entries = calloc(capacity, sizeof *index->entries);
    uint32_t slot_count = 16;
    while (slot_count < capacity * 2) slot_count *= 2;
    index->slots = calloc(slot_count, sizeof *index->slots);
    index->mask = slot_count - 1;
    if (index->der == NULL || index->entries == NULL || index->slots == NULL) return 0;
    size_t used = 0;
    const uint8_t *p = text, *end = text + size;
    while ((p = memmem(p, (size_t)(end - p), begin_marker, 11)) != NULL) {
        /* OpenSSL's reader only sees markers at the start of a line. */
        if (p != text && p[-1] != '\n') return 0;
        const uint8_t *kind = p + 11;
        if ((size_t)(end - kind) < 16 || memcmp(kind, certificate_marker, 16) != 0) return 0;
        const uint8_t *body = kind + 16;
        const uint8_t *stop = memmem(body, (size_t)(end - body), end_marker, sizeof end_marker - 1);
        if (stop == NULL || stop[-1] != '\n') return 0;
        size_t length = lho_base64_decode(body, (size_t)(stop - body), index->der + used);
        size_t subject, subject_length;
        if (length == 0 || !lho_certificate_subject(index->der + used, length, &subject, &subject_length)) return 0;
        trust_entry *entry = &index->entries[index->count];
        if (!lho_name_hash(index->der + used + subject, subject_length, &entry->name_hash)) return 0;
        entry->der_offset = (uint32_t)used;
        entry->der_length = (uint32_t)length;
        uint32_t slot = entry->name_hash & index->mask;
        while (index->slots[slot] != 0) slot = (slot + 1) & index->mask;
        index->slots[slot] = ++index->count;
        used += length;
        p = stop + sizeof end_marker - 1;
    }
    return 1;
}

/* X509_LOOKUP_METHOD get_by_subject: parses and adds to the store every indexed
 * certificate whose subject equals `name`, then hands back the store's first one without
 * a reference (the caller takes its own, as with OpenSSL's by_dir and by_store). A name
 * not in the bundle costs one i2d and a table probe each time it is asked for. */
static int find_by_subject(lh_x509_lookup *lookup, int type, const lh_x509_name *name, lh_x509_object *ret) {
    const lh_tls_functions *f = lho_tls_library_loaded();
    if (f == NULL || type != LH_X509_LU_X509 || name == NULL || installed.count == 0) return 0;
    int size = f->i2d_X509_NAME(name, NULL);
    if (size <= 0) return 0;
    uint8_t *encoded = malloc((size_t)size);
    uint8_t *cursor = encoded;
    uint32_t hash = 0;
    int hashed = encoded != NULL && f->i2d_X509_NAME(name, &cursor) == size &&
                 lho_name_hash(encoded, (size_t)size, &hash);
    free(encoded);
    if (!hashed) return 0;
    lh_x509_store *store = f->X509_LOOKUP_get_store(lookup);
    int added = 0;
    for (uint32_t slot = hash & installed.mask; installed.slots[slot] != 0; slot = (slot + 1) & installed.mask) {
        const trust_entry *entry = &installed.entries[installed.slots[slot] - 1];
        if (entry->name_hash != hash) continue;
        const unsigned char *der = installed.der + entry->der_offset;
        lh_x509 *certificate = f->d2i_X509(NULL, &der, (long)entry->der_length);
        if (certificate == NULL) continue;
        __atomic_add_fetch(&parsed, 1, __ATOMIC_RELAXED);
        /* The hash only narrows the search; equality is OpenSSL's, as in its own store. */
        if (f->X509_NAME_cmp(f->X509_get_subject_name(certificate), name) == 0 &&
            f->X509_STORE_add_cert(store, certificate) == 1)
            added++;
        f->X509_free(certificate);
    }
    if (added == 0) return 0;
    /* Another thread may have added the same certificates first: hand back the store's. */
    int found = 0;
    if (f->X509_STORE_lock(store) != 1) return 0;
    lh_x509_object *object = f->X509_OBJECT_retrieve_by_subject(f->X509_STORE_get0_objects(store), type, name);
    lh_x509 *first = object != NULL ? f->X509_OBJECT_get0_X509(object) : NULL;
    if (first != NULL && f->X509_OBJECT_set1_X509(ret, first) == 1) {
        f->X509_free(first);
        found = 1;
    }
    f->X509_STORE_unlock(store);
    return found;
}

static void discard(trust_index *index) {
    free(index->der);
    free(index->entries);
    free(index->slots);
    memset(index, 0, sizeof *index);
}

int lho_trust_store_install(const lh_tls_functions *f, lh_ssl_ctx *ctx, const char *bundle) {
    size_t size = 0;
    uint8_t *text = read_bundle(bundle, &size);
    if (text == NULL) return 0;
    trust_index index = {0};
    int built = build_index(text, size, &index);
    free(text);
    lh_x509_store *store = f->SSL_CTX_get_cert_store(ctx);
    lh_x509_lookup_method *method = built && store != NULL ? f->X509_LOOKUP_meth_new("lambda-host bundle") : NULL;
    if (method == NULL || f->X509_LOOKUP_meth_set_get_by_subject(method, find_by_subject) != 1) {
        discard(&index);
        return 0;
    }
    /* Published before the lookup can run: lookups start only once the context is shared. */
    installed = index;
    if (f->X509_STORE_add_lookup(store, method) == NULL) {
        discard(&installed);
        return 0;
    }
    return 1;
}

int lh_tls_trust_indexed(void) {
    /* The CA file is published after the context (and so after `installed`) is made. */
    return lh_tls_ca_file() != NULL ? (int)installed.count : 0;
}

int lh_tls_trust_parsed(void) { return __atomic_load_n(&parsed, __ATOMIC_RELAXED); }
