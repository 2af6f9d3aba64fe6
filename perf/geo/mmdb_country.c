/*
 * The C reference for the geo benchmark and the differential tests, on libmaxminddb (Debian libmaxminddb-dev).
 *
 *   mmdb_country bench DB PATH...   time country lookups of fixed IPv4 and IPv6 address sets (ns/op), the same
 *                                   sets perf/EdgeServer.Benchmarks/Geo/GeoLookupBenchmark.cs uses
 *   mmdb_country lookup DB PATH...  read one address per line on stdin, print "address found prefix value" per
 *                                   line: libmaxminddb's answer in bulk, since mmdblookup takes one address per process
 *
 * PATH is the value path as separate keys, e.g. "country iso_code" or "country_code".
 */
#include <arpa/inet.h>
#include <maxminddb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SET_SIZE 1024

static int country(MMDB_s *db, const struct sockaddr *sa, const char *const *path, char out[3]) {
    int error;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(db, sa, &error);
    if (error != MMDB_SUCCESS || !r.found_entry) return 0;
    MMDB_entry_data_s data;
    if (MMDB_aget_value(&r.entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
        data.type != MMDB_DATA_TYPE_UTF8_STRING || data.data_size != 2) return 0;
    memcpy(out, data.utf8_string, 2);
    out[2] = 0;
    return 1;
}

/* xorshift64*: the same sequence as GeoAddressSets in the C# benchmark, so both time the same addresses. */
static uint64_t next(uint64_t *s) {
    *s ^= *s >> 12; *s ^= *s << 25; *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static double bench(MMDB_s *db, const char *const *path, int v6) {
    static struct sockaddr_in v4s[SET_SIZE];
    static struct sockaddr_in6 v6s[SET_SIZE];
    uint64_t seed = v6 ? 0x6666 : 0x4444;
    for (int i = 0; i < SET_SIZE; i++) {
        uint64_t a = next(&seed), b = next(&seed);
        if (v6) {
            memset(&v6s[i], 0, sizeof v6s[i]);
            v6s[i].sin6_family = AF_INET6;
            /* Random bits under the RIRs' busiest /12s, so most lookups end in a country, as client traffic does. */
            static const uint8_t top[5][2] = {{0x20, 0x01}, {0x24, 0x00}, {0x26, 0x00}, {0x28, 0x00}, {0x2a, 0x00}};
            for (int k = 0; k < 8; k++) v6s[i].sin6_addr.s6_addr[k] = (uint8_t)(a >> (56 - 8 * k));
            for (int k = 0; k < 8; k++) v6s[i].sin6_addr.s6_addr[8 + k] = (uint8_t)(b >> (56 - 8 * k));
            const uint8_t *t = top[b % 5];
            v6s[i].sin6_addr.s6_addr[0] = t[0];
            v6s[i].sin6_addr.s6_addr[1] = (uint8_t)(t[1] | (v6s[i].sin6_addr.s6_addr[1] & (t[1] ? 0x00 : 0x0f)));
        } else {
            memset(&v4s[i], 0, sizeof v4s[i]);
            v4s[i].sin_family = AF_INET;
            v4s[i].sin_addr.s_addr = htonl((uint32_t)(a >> 32));
        }
    }
    const long rounds = 2000;
    char cc[3];
    long found = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long r = 0; r < rounds; r++)
        for (int i = 0; i < SET_SIZE; i++)
            found += country(db, v6 ? (struct sockaddr *)&v6s[i] : (struct sockaddr *)&v4s[i], path, cc);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (double)(rounds * SET_SIZE);
    fprintf(stderr, "%s: %ld of %ld found\n", v6 ? "IPv6" : "IPv4", found / rounds, (long)SET_SIZE);
    return ns;
}

static int lookup(MMDB_s *db, const char *const *path) {
    char line[128];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0]) continue;
        int gai, error;
        MMDB_lookup_result_s r = MMDB_lookup_string(db, line, &gai, &error);
        if (gai != 0 || error != MMDB_SUCCESS) {
            printf("%s error %s\n", line, gai ? gai_strerror(gai) : MMDB_strerror(error));
            continue;
        }
        const char *value = "-";
        char buf[64];
        if (r.found_entry) {
            MMDB_entry_data_s data;
            int status = MMDB_aget_value(&r.entry, &data, path);
            if (status == MMDB_SUCCESS && data.has_data && data.type == MMDB_DATA_TYPE_UTF8_STRING && data.data_size < sizeof buf) {
                memcpy(buf, data.utf8_string, data.data_size);
                buf[data.data_size] = 0;
                value = buf;
            }
        }
        printf("%s %d %d %s\n", line, r.found_entry ? 1 : 0, r.netmask, value);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4 || (strcmp(argv[1], "bench") && strcmp(argv[1], "lookup"))) {
        fprintf(stderr, "usage: %s bench|lookup DB PATH...\n", argv[0]);
        return 2;
    }
    MMDB_s db;
    int status = MMDB_open(argv[2], MMDB_MODE_MMAP, &db);
    if (status != MMDB_SUCCESS) {
        fprintf(stderr, "%s: %s\n", argv[2], MMDB_strerror(status));
        return 1;
    }
    char **keys = calloc((size_t)argc - 2, sizeof *keys);
    for (int i = 3; i < argc; i++) keys[i - 3] = argv[i];
    const char *const *path = (const char *const *)keys;
    int rc = 0;
    if (!strcmp(argv[1], "lookup")) {
        rc = lookup(&db, path);
    } else {
        printf("libmaxminddb %s, %s\n", MMDB_lib_version(), argv[2]);
        printf("IPv4 country lookup: %.1f ns/op\n", bench(&db, path, 0));
        printf("IPv6 country lookup: %.1f ns/op\n", bench(&db, path, 1));
    }
    free(keys);
    MMDB_close(&db);
    return rc;
}
