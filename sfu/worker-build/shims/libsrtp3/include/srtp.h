/*
 * The libsrtp v3 API that mediasoup's worker uses, on top of libsrtp 2.x.
 *
 * mediasoup does `#include <srtp.h>`; this header pulls in Debian's
 * <srtp2/srtp.h> and redirects the v3 calls to ms_srtp3_* wrappers
 * (../src/srtp3_shim.c). Two things differ from v2:
 *  - protect/unprotect take separate input and output buffers with size_t
 *    lengths (v2 works in place with an int length);
 *  - srtp_policy_t is an opaque handle filled by srtp_policy_create() and
 *    srtp_policy_set_*() (in v2 it is a struct). v2's struct is therefore
 *    renamed to ms_srtp2_policy_t while its header is parsed, and
 *    srtp_policy_t becomes a pointer to a wrapper around it.
 */
#ifndef PREAU_SRTP3_SHIM_H
#define PREAU_SRTP3_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define srtp_policy_t ms_srtp2_policy_t
#include <srtp2/srtp.h>
#undef srtp_policy_t

/* Error codes that only exist in v3 (same values as v3); mediasoup names them. */
#define srtp_err_status_buffer_small ((srtp_err_status_t)28)
#define srtp_err_status_cryptex_err ((srtp_err_status_t)29)

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ms_srtp3_policy *srtp_policy_t;

srtp_err_status_t ms_srtp3_policy_create(srtp_policy_t *policy);
void ms_srtp3_policy_destroy(srtp_policy_t policy);
srtp_err_status_t ms_srtp3_policy_set_ssrc(srtp_policy_t policy, srtp_ssrc_t ssrc);
srtp_err_status_t ms_srtp3_policy_set_profile(srtp_policy_t policy, srtp_profile_t profile);
srtp_err_status_t ms_srtp3_policy_add_key(srtp_policy_t policy, const uint8_t *key, size_t key_len,
                                          const uint8_t *salt, size_t salt_len,
                                          const uint8_t *mki, size_t mki_len);
srtp_err_status_t ms_srtp3_policy_set_window_size(srtp_policy_t policy, size_t window_size);
srtp_err_status_t ms_srtp3_policy_set_allow_repeat_tx(srtp_policy_t policy, bool allow);
srtp_err_status_t ms_srtp3_create(srtp_t *session, const srtp_policy_t policy);

srtp_err_status_t ms_srtp3_protect(srtp_t ctx, const uint8_t *rtp, size_t rtp_len,
                                   uint8_t *srtp, size_t *srtp_len, size_t mki_index);
srtp_err_status_t ms_srtp3_unprotect(srtp_t ctx, const uint8_t *srtp, size_t srtp_len,
                                     uint8_t *rtp, size_t *rtp_len);
srtp_err_status_t ms_srtp3_protect_rtcp(srtp_t ctx, const uint8_t *rtcp, size_t rtcp_len,
                                        uint8_t *srtcp, size_t *srtcp_len, size_t mki_index);
srtp_err_status_t ms_srtp3_unprotect_rtcp(srtp_t ctx, const uint8_t *srtcp, size_t srtcp_len,
                                          uint8_t *rtcp, size_t *rtcp_len);
srtp_err_status_t ms_srtp3_stream_remove(srtp_t session, uint32_t ssrc);

#ifdef __cplusplus
}
#endif

/* The adapter itself calls the real v2 functions of the same names. */
#ifndef MS_SRTP3_SHIM_IMPL
#define srtp_policy_create ms_srtp3_policy_create
#define srtp_policy_destroy ms_srtp3_policy_destroy
#define srtp_policy_set_ssrc ms_srtp3_policy_set_ssrc
#define srtp_policy_set_profile ms_srtp3_policy_set_profile
#define srtp_policy_add_key ms_srtp3_policy_add_key
#define srtp_policy_set_window_size ms_srtp3_policy_set_window_size
#define srtp_policy_set_allow_repeat_tx ms_srtp3_policy_set_allow_repeat_tx
#define srtp_create ms_srtp3_create
#define srtp_protect ms_srtp3_protect
#define srtp_unprotect ms_srtp3_unprotect
#define srtp_protect_rtcp ms_srtp3_protect_rtcp
#define srtp_unprotect_rtcp ms_srtp3_unprotect_rtcp
#define srtp_stream_remove ms_srtp3_stream_remove
#endif

#endif /* PREAU_SRTP3_SHIM_H */
