#ifndef NTK_CMPFR_SHIM_H
#define NTK_CMPFR_SHIM_H
#include <stdio.h>
#include <stdarg.h>
#include <gmp.h>
#include <mpfr.h>

/* Several MPFR/GMP entry points are macros; these inline wrappers make them callable from Swift. */
static inline int ntk_mpfr_sgn(mpfr_srcptr x) { return mpfr_sgn(x); }
static inline int ntk_mpq_sgn(mpq_srcptr x) { return mpq_sgn(x); }
static inline int ntk_mpz_sgn(mpz_srcptr x) { return mpz_sgn(x); }
static inline mpfr_exp_t ntk_mpfr_get_exp(mpfr_srcptr x) { return mpfr_get_exp(x); }
static inline mpz_srcptr ntk_mpq_numref(mpq_srcptr x) { return mpq_numref(x); }
static inline mpz_srcptr ntk_mpq_denref(mpq_srcptr x) { return mpq_denref(x); }
static inline mpz_ptr ntk_mpq_numref_mut(mpq_ptr x) { return mpq_numref(x); }
static inline mpz_ptr ntk_mpq_denref_mut(mpq_ptr x) { return mpq_denref(x); }
static inline mpfr_prec_t ntk_mpfr_prec_min(void) { return MPFR_PREC_MIN; }
static inline mpfr_prec_t ntk_mpfr_prec_max(void) { return MPFR_PREC_MAX; }
static inline size_t ntk_mpz_sizeinbase(mpz_srcptr x, int base) { return mpz_sizeinbase(x, base); }
static inline void ntk_gmp_free(void *p, size_t n) {
    void (*freefunc)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &freefunc);
    freefunc(p, n);
}
#endif
