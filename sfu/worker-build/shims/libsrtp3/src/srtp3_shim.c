/*
 * libsrtp v3 API (as used by mediasoup's worker) on top of libsrtp 2.x.
 *
 * v3's protect/unprotect take a separate input and output buffer with size_t
 * lengths (*out_len is the output capacity on entry, the result length on
 * return); v2 works in place on a buffer with an int length and may append
 * up to SRTP_MAX_TRAILER_LEN (+4 for RTCP) bytes. We run v2 in the caller's
 * output buffer when it is large enough, else in a thread-local scratch
 * buffer, and never write more than *out_len bytes to the output.
 */
#define MS_SRTP3_SHIM_IMPL 1
#include "srtp.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MS_RTP_GROWTH ((size_t)SRTP_MAX_TRAILER_LEN)
#define MS_RTCP_GROWTH ((size_t)SRTP_MAX_TRAILER_LEN + 4)
#define MS_SCRATCH_SIZE (65536 + SRTP_MAX_TRAILER_LEN + 4)

static _Thread_local uint8_t ms_scratch[MS_SCRATCH_SIZE];

typedef srtp_err_status_t (*ms_v2_fn)(srtp_t, void *, int *);

static srtp_err_status_t ms_run(ms_v2_fn fn, size_t growth, srtp_t ctx, const uint8_t *in,
                                size_t in_len, uint8_t *out, size_t *out_len)
{
    uint8_t *work;
    int len;
    srtp_err_status_t status;

    if (in == NULL || out == NULL || out_len == NULL)
        return srtp_err_status_bad_param;
    if (in_len > (size_t)INT_MAX - growth)
        return srtp_err_status_bad_param;

    if (*out_len >= in_len + growth)
        work = out;
    else if (in_len + growth <= sizeof(ms_scratch))
        work = ms_scratch;
    else
        return srtp_err_status_buffer_small;

    if (work != in)
        memmove(work, in, in_len);

    len = (int)in_len;
    status = fn(ctx, work, &len);
    if (status != srtp_err_status_ok)
        return status;
    if (len < 0 || (size_t)len > *out_len)
        return srtp_err_status_buffer_small;
    if (work != out)
        memcpy(out, work, (size_t)len);
    *out_len = (size_t)len;
    return srtp_err_status_ok;
}

srtp_err_status_t ms_srtp3_protect(srtp_t ctx, const uint8_t *rtp, size_t rtp_len,
                                   uint8_t *srtp, size_t *srtp_len, size_t mki_index)
{
    (void)mki_index; /* mediasoup never uses MKI (always passes 0). */
    return ms_run(srtp_protect, MS_RTP_GROWTH, ctx, rtp, rtp_len, srtp, srtp_len);
}

srtp_err_status_t ms_srtp3_unprotect(srtp_t ctx, const uint8_t *srtp, size_t srtp_len,
                                     uint8_t *rtp, size_t *rtp_len)
{
    return ms_run(srtp_unprotect, 0, ctx, srtp, srtp_len, rtp, rtp_len);
}

srtp_err_status_t ms_srtp3_protect_rtcp(srtp_t ctx, const uint8_t *rtcp, size_t rtcp_len,
                                        uint8_t *srtcp, size_t *srtcp_len, size_t mki_index)
{
    (void)mki_index;
    return ms_run(srtp_protect_rtcp, MS_RTCP_GROWTH, ctx, rtcp, rtcp_len, srtcp, srtcp_len);
}

srtp_err_status_t ms_srtp3_unprotect_rtcp(srtp_t ctx, const uint8_t *srtcp, size_t srtcp_len,
                                          uint8_t *rtcp, size_t *rtcp_len)
{
    return ms_run(srtp_unprotect_rtcp, 0, ctx, srtcp, srtcp_len, rtcp, rtcp_len);
}

srtp_err_status_t ms_srtp3_stream_remove(srtp_t session, uint32_t ssrc)
{
    /* Like v3's srtp_stream_remove(), ssrc is in network byte order. */
    return srtp_remove_stream(session, ssrc);
}

/*
 * v3 policy handle: a v2 policy struct plus owned storage for the
 * concatenated master key || master salt (the layout v2's policy.key expects).
 */
struct ms_srtp3_policy {
    ms_srtp2_policy_t p;
    int has_profile;
    int num_keys;
    uint8_t key[SRTP_MAX_KEY_LEN];
};

srtp_err_status_t ms_srtp3_policy_create(srtp_policy_t *policy)
{
    struct ms_srtp3_policy *h;

    if (policy == NULL)
        return srtp_err_status_bad_param;
    h = calloc(1, sizeof(*h));
    if (h == NULL)
        return srtp_err_status_alloc_fail;
    h->p.window_size = 128; /* v2's default when 0 is given. */
    h->p.next = NULL;
    *policy = h;
    return srtp_err_status_ok;
}

void ms_srtp3_policy_destroy(srtp_policy_t policy)
{
    if (policy == NULL)
        return;
    /* Wipe key material before freeing. */
    memset(policy->key, 0, sizeof(policy->key));
    free(policy);
}

srtp_err_status_t ms_srtp3_policy_set_ssrc(srtp_policy_t policy, srtp_ssrc_t ssrc)
{
    if (policy == NULL)
        return srtp_err_status_bad_param;
    policy->p.ssrc = ssrc;
    return srtp_err_status_ok;
}

srtp_err_status_t ms_srtp3_policy_set_profile(srtp_policy_t policy, srtp_profile_t profile)
{
    srtp_err_status_t status;

    if (policy == NULL)
        return srtp_err_status_bad_param;
    /* As in v2 (and RFC 3711), SRTCP keeps an 80-bit tag for the _32 profile. */
    status = srtp_crypto_policy_set_from_profile_for_rtp(&policy->p.rtp, profile);
    if (status != srtp_err_status_ok)
        return status;
    status = srtp_crypto_policy_set_from_profile_for_rtcp(&policy->p.rtcp, profile);
    if (status != srtp_err_status_ok)
        return status;
    policy->has_profile = 1;
    return srtp_err_status_ok;
}

srtp_err_status_t ms_srtp3_policy_add_key(srtp_policy_t policy, const uint8_t *key, size_t key_len,
                                          const uint8_t *salt, size_t salt_len,
                                          const uint8_t *mki, size_t mki_len)
{
    (void)mki;
    if (policy == NULL || key == NULL || salt == NULL)
        return srtp_err_status_bad_param;
    /* Without MKI, v3 allows exactly one key; mediasoup never uses MKI. */
    if (mki_len != 0 || policy->num_keys != 0)
        return srtp_err_status_bad_param;
    if (key_len + salt_len > sizeof(policy->key))
        return srtp_err_status_bad_param;
    memcpy(policy->key, key, key_len);
    memcpy(policy->key + key_len, salt, salt_len);
    policy->p.key = policy->key;
    policy->p.keys = NULL;
    policy->p.num_master_keys = 0;
    policy->num_keys = 1;
    return srtp_err_status_ok;
}

srtp_err_status_t ms_srtp3_policy_set_window_size(srtp_policy_t policy, size_t window_size)
{
    if (policy == NULL)
        return srtp_err_status_bad_param;
    if (window_size != 0 && (window_size < 64 || window_size >= 0x8000))
        return srtp_err_status_bad_param;
    policy->p.window_size = (unsigned long)window_size;
    return srtp_err_status_ok;
}

srtp_err_status_t ms_srtp3_policy_set_allow_repeat_tx(srtp_policy_t policy, bool allow)
{
    if (policy == NULL)
        return srtp_err_status_bad_param;
    policy->p.allow_repeat_tx = allow ? 1 : 0;
    return srtp_err_status_ok;
}

srtp_err_status_t ms_srtp3_create(srtp_t *session, const srtp_policy_t policy)
{
    if (session == NULL || policy == NULL || !policy->has_profile || policy->num_keys != 1)
        return srtp_err_status_bad_param;
    /* v2 derives the session keys here; the policy may be destroyed afterwards. */
    return srtp_create(session, &policy->p);
}
