/*
 * The hot loops of WebAssembly training (see wasm-kernels.ts): single-precision matrix products,
 * and the element-wise passes of the fused ops (fused-ops.ts, fused-linear.ts), which ran at
 * 5-11 ns per element as JS loops here and run at well under 1 ns as SIMD.
 *
 * Built by scripts/build-wasm-kernels.mjs (clang --target=wasm32 -msimd128, no libc) into a module that
 * imports tfjs-backend-wasm's own memory, so it reads and writes tensors where they live. The
 * code must never use the C shadow stack: that stack would sit at a fixed address inside tfjs's
 * heap. The build script rejects any output that touches the stack-pointer global.
 *
 * Why not XNNPACK, which tfjs ships: it packs its right operand into its own layout on every call
 * (our operands are fresh every step), accepts neither transposed nor strided operands, and its
 * 4x8 kernel as built into tfjs 4.22 ran at 12-18 GFLOPS here against 25-29 for this one. The
 * layout is the classic one (Goto & van de Geijn): the right operand is packed into panels of 8
 * columns, products run over blocks of KC = 256 along k and MC = 128 rows so a panel stays in L1
 * and the rows in L2, and a 4x8 register tile (8 accumulators, 2 panel loads and 4 broadcast loads
 * per k) keeps within the 15 vector registers V8 hands out on x64. 6x8 tiles spilled under V8 and
 * unrolling k by two lost speed; both were measured.
 */
#include <wasm_simd128.h>

typedef float f32;
#define EXPORT(name) __attribute__((export_name(#name)))
#define NR 8
#define MR 4
#define KC 256
#define MC 128

/*
 * Packs op(B) [k x n] into panels of NR columns: out[panel][p][0..NR), zero-padded past n.
 * op(B)[p][j] = b[p * ldb + j], or b[j * ldb + p] when trans_b. `out` holds ceil(n/NR)*NR*k floats.
 */
EXPORT(pack_b) void pack_b(const f32 *b, int k, int n, int ldb, int trans_b, f32 *out) {
  for (int j0 = 0; j0 < n; j0 += NR) {
    int w = n - j0 < NR ? n - j0 : NR;
    if (!trans_b && w == NR) {
      const f32 *src = b + j0;
      for (int p = 0; p < k; p++, src += ldb, out += NR) {
        wasm_v128_store(out, wasm_v128_load(src));
        wasm_v128_store(out + 4, wasm_v128_load(src + 4));
      }
      continue;
    }
    for (int p = 0; p < k; p++, out += NR) {
      for (int j = 0; j < NR; j++) {
        out[j] = j < w ? (trans_b ? b[(j0 + j) * ldb + p] : b[p * ldb + j0 + j]) : 0.0f;
      }
    }
  }
}

/*
 * Writes one row of a tile. first: this is the first k block (add the bias, and the old value of
 * c only when accumulating); last: the last k block (apply ReLU).
 */
static inline void store_row(f32 *c, v128_t lo, v128_t hi, int nr, int first, int accumulate,
                             const f32 *bias, int last, int relu) {
  if (nr == NR) {
    if (!first || accumulate) {
      lo = wasm_f32x4_add(lo, wasm_v128_load(c));
      hi = wasm_f32x4_add(hi, wasm_v128_load(c + 4));
    }
    if (first && bias) {
      lo = wasm_f32x4_add(lo, wasm_v128_load(bias));
      hi = wasm_f32x4_add(hi, wasm_v128_load(bias + 4));
    }
    if (last && relu) {
      v128_t zero = wasm_f32x4_splat(0.0f);
      lo = wasm_f32x4_max(lo, zero);
      hi = wasm_f32x4_max(hi, zero);
    }
    wasm_v128_store(c, lo);
    wasm_v128_store(c + 4, hi);
    return;
  }
#define LANE(j, vec, l)                                                                            \
  if (nr > j) {                                                                                    \
    f32 v = wasm_f32x4_extract_lane(vec, l);                                                       \
    if (!first || accumulate) v += c[j];                                                           \
    if (first && bias) v += bias[j];                                                               \
    if (last && relu && !(v > 0.0f)) v = 0.0f;                                                     \
    c[j] = v;                                                                                      \
  }
  LANE(0, lo, 0) LANE(1, lo, 1) LANE(2, lo, 2) LANE(3, lo, 3)
  LANE(4, hi, 0) LANE(5, hi, 1) LANE(6, hi, 2) LANE(7, hi, 3)
#undef LANE
}

/* One MR x NR tile over kc steps; rows past mr reuse row 0 and are not stored. */
static inline void tile(const f32 *a, int rsa, int csa, const f32 *bq, f32 *c, int ldc, int mr,
                        int nr, int kc, int first, int accumulate, const f32 *bias, int last,
                        int relu) {
  const f32 *a0 = a;
  const f32 *a1 = mr > 1 ? a0 + rsa : a0;
  const f32 *a2 = mr > 2 ? a0 + 2 * rsa : a0;
  const f32 *a3 = mr > 3 ? a0 + 3 * rsa : a0;
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    v128_t b0 = wasm_v128_load(bq), b1 = wasm_v128_load(bq + 4);
    bq += NR;
    v128_t x;
    x = wasm_v128_load32_splat(a0);
    a0 += csa;
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(x, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(x, b1));
    x = wasm_v128_load32_splat(a1);
    a1 += csa;
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(x, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(x, b1));
    x = wasm_v128_load32_splat(a2);
    a2 += csa;
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(x, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(x, b1));
    x = wasm_v128_load32_splat(a3);
    a3 += csa;
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(x, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(x, b1));
  }
  store_row(c, c00, c01, nr, first, accumulate, bias, last, relu);
  if (mr > 1) store_row(c + ldc, c10, c11, nr, first, accumulate, bias, last, relu);
  if (mr > 2) store_row(c + 2 * ldc, c20, c21, nr, first, accumulate, bias, last, relu);
  if (mr > 3) store_row(c + 3 * ldc, c30, c31, nr, first, accumulate, bias, last, relu);
}

/*
 * c[m x n] (row stride ldc) = [c +] op(A)·op(B) [+ bias] [then ReLU], with op(B) packed by pack_b
 * into bp. op(A)[i][p] = a[i * rsa + p * csa], so a transposed A is just rsa = 1, csa = lda.
 * bias: n floats or 0. With k = 0 the result is the bias (or c, or zeros).
 */
EXPORT(gemm) void gemm(const f32 *a, int rsa, int csa, const f32 *bp, f32 *c, int ldc, int m,
                       int k, int n, int accumulate, const f32 *bias, int relu) {
  int p0 = 0;
  do {
    int kc = k - p0 < KC ? k - p0 : KC;
    int first = p0 == 0;
    int last = p0 + kc >= k;
    for (int i1 = 0; i1 < m; i1 += MC) {
      int mc = m - i1 < MC ? m - i1 : MC;
      for (int j0 = 0; j0 < n; j0 += NR) {
        int nr = n - j0 < NR ? n - j0 : NR;
        const f32 *bq = bp + (j0 / NR) * k * NR + p0 * NR;
        const f32 *bias_j = bias ? bias + j0 : 0;
        for (int i0 = i1; i0 < i1 + mc; i0 += MR) {
          int mr = i1 + mc - i0 < MR ? i1 + mc - i0 : MR;
          tile(a + i0 * rsa + p0 * csa, rsa, csa, bq, c + i0 * ldc + j0, ldc, mr, nr, kc, first,
               accumulate, bias_j, last, relu);
        }
      }
    }
    p0 += kc;
  } while (p0 < k);
}

/* out[n] = sum over the m rows of x[m x n] (row stride ldx): a bias gradient. Row by row, so x
 * streams through once and out stays in L1. */
EXPORT(column_sums) void column_sums(const f32 *x, int m, int n, int ldx, f32 *out) {
  for (int j = 0; j < n; j++) out[j] = 0.0f;
  for (int i = 0; i < m; i++, x += ldx) {
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      wasm_v128_store(out + j, wasm_f32x4_add(wasm_v128_load(out + j), wasm_v128_load(x + j)));
    }
    for (; j < n; j++) out[j] += x[j];
  }
}

/* ---- element-wise passes; each has a JS twin in fused-ops.ts / fused-linear.ts ---- */

/* out = y > 0 ? dy * scale : 0 (ReLU, then dropout scaled by `scale`, backwards). */
EXPORT(relu_grad) void relu_grad(const f32 *dy, const f32 *y, int n, f32 scale, f32 *out) {
  v128_t zero = wasm_f32x4_splat(0.0f), vs = wasm_f32x4_splat(scale);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t keep = wasm_f32x4_gt(wasm_v128_load(y + i), zero);
    wasm_v128_store(out + i, wasm_v128_and(keep, wasm_f32x4_mul(wasm_v128_load(dy + i), vs)));
  }
  for (; i < n; i++) out[i] = y[i] > 0.0f ? dy[i] * scale : 0.0f;
}

/* murmur3's 32-bit finaliser over seed + k * golden ratio, as fillDropoutMask in fused-ops.ts. */
static inline v128_t mix(v128_t h) {
  h = wasm_i32x4_mul(wasm_v128_xor(h, wasm_u32x4_shr(h, 16)), wasm_i32x4_splat((int)0x85ebca6b));
  h = wasm_i32x4_mul(wasm_v128_xor(h, wasm_u32x4_shr(h, 13)), wasm_i32x4_splat((int)0xc2b2ae35));
  return wasm_v128_xor(h, wasm_u32x4_shr(h, 16));
}

static inline unsigned mix1(unsigned h) {
  h = (h ^ (h >> 16)) * 0x85ebca6bu;
  h = (h ^ (h >> 13)) * 0xc2b2ae35u;
  return h ^ (h >> 16);
}

/*
 * out[i] = (y ? y[i] : 1) * (dropped ? 0 : keep), the mask bit-identical to fillDropoutMask: pair
 * k = i/2 hashes to h; element 2k keeps when (h & 0xffff) >= threshold, element 2k+1 when
 * (h >> 16) >= threshold.
 */
EXPORT(dropout) void dropout(const f32 *y, int n, int threshold, f32 keep, unsigned seed,
                             f32 *out) {
  v128_t vk = wasm_f32x4_splat(keep), vt = wasm_i32x4_splat(threshold);
  v128_t golden = wasm_i32x4_splat((int)0x9e3779b9), low = wasm_i32x4_splat(0xffff);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    unsigned k = (unsigned)i >> 1;
    v128_t idx = wasm_i32x4_make(k, k + 1, k + 2, k + 3);
    v128_t h = mix(wasm_i32x4_add(wasm_i32x4_splat((int)seed), wasm_i32x4_mul(idx, golden)));
    v128_t lo = wasm_v128_and(wasm_i32x4_ge(wasm_v128_and(h, low), vt), vk);
    v128_t hi = wasm_v128_and(wasm_i32x4_ge(wasm_u32x4_shr(h, 16), vt), vk);
    v128_t m0 = wasm_i32x4_shuffle(lo, hi, 0, 4, 1, 5);
    v128_t m1 = wasm_i32x4_shuffle(lo, hi, 2, 6, 3, 7);
    if (y) {
      m0 = wasm_f32x4_mul(m0, wasm_v128_load(y + i));
      m1 = wasm_f32x4_mul(m1, wasm_v128_load(y + i + 4));
    }
    wasm_v128_store(out + i, m0);
    wasm_v128_store(out + i + 4, m1);
  }
  for (; i < n; i += 2) {
    unsigned h = mix1(seed + ((unsigned)i >> 1) * 0x9e3779b9u);
    out[i] = ((int)(h & 0xffff) < threshold ? 0.0f : keep) * (y ? y[i] : 1.0f);
    if (i + 1 < n) out[i + 1] = ((int)(h >> 16) < threshold ? 0.0f : keep) * (y ? y[i + 1] : 1.0f);
  }
}

static inline f32 hsum(v128_t v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) +
         wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3);
}

/* Layer norm over rows of d (a multiple of 4): y, x-hat and 1/sigma per row (layerNormRows). */
EXPORT(layer_norm) void layer_norm(const f32 *x, const f32 *gamma, const f32 *beta, int rows,
                                   int d, f32 eps, f32 *y, f32 *xhat, f32 *rstd) {
  for (int r = 0; r < rows; r++, x += d, y += d, xhat += d) {
    v128_t s = wasm_f32x4_splat(0.0f);
    for (int j = 0; j < d; j += 4) s = wasm_f32x4_add(s, wasm_v128_load(x + j));
    v128_t mean = wasm_f32x4_splat(hsum(s) / (f32)d);
    v128_t q = wasm_f32x4_splat(0.0f);
    for (int j = 0; j < d; j += 4) {
      v128_t c = wasm_f32x4_sub(wasm_v128_load(x + j), mean);
      q = wasm_f32x4_add(q, wasm_f32x4_mul(c, c));
    }
    f32 inv = 1.0f / __builtin_sqrtf(hsum(q) / (f32)d + eps);
    rstd[r] = inv;
    v128_t vi = wasm_f32x4_splat(inv);
    for (int j = 0; j < d; j += 4) {
      v128_t h = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(x + j), mean), vi);
      wasm_v128_store(xhat + j, h);
      wasm_v128_store(y + j, wasm_f32x4_add(wasm_f32x4_mul(h, wasm_v128_load(gamma + j)),
                                            wasm_v128_load(beta + j)));
    }
  }
}

/*
 * Its gradient (layerNormGradRows): dx = rstd * (dy*gamma - mean(dy*gamma) - xhat *
 * mean(dy*gamma*xhat)) per row; dgamma = sum dy*xhat and dbeta = sum dy over rows.
 */
EXPORT(layer_norm_grad) void layer_norm_grad(const f32 *dy, const f32 *xhat, const f32 *rstd,
                                             const f32 *gamma, int rows, int d, f32 *dx,
                                             f32 *dgamma, f32 *dbeta) {
  for (int j = 0; j < d; j++) dgamma[j] = dbeta[j] = 0.0f;
  for (int r = 0; r < rows; r++, dy += d, xhat += d, dx += d) {
    v128_t sg = wasm_f32x4_splat(0.0f), sgx = sg;
    for (int j = 0; j < d; j += 4) {
      v128_t dyj = wasm_v128_load(dy + j), h = wasm_v128_load(xhat + j);
      v128_t g = wasm_f32x4_mul(dyj, wasm_v128_load(gamma + j));
      sg = wasm_f32x4_add(sg, g);
      sgx = wasm_f32x4_add(sgx, wasm_f32x4_mul(g, h));
      wasm_v128_store(dgamma + j, wasm_f32x4_add(wasm_v128_load(dgamma + j), wasm_f32x4_mul(dyj, h)));
      wasm_v128_store(dbeta + j, wasm_f32x4_add(wasm_v128_load(dbeta + j), dyj));
    }
    v128_t mg = wasm_f32x4_splat(hsum(sg) / (f32)d), mgx = wasm_f32x4_splat(hsum(sgx) / (f32)d);
    v128_t s = wasm_f32x4_splat(rstd[r]);
    for (int j = 0; j < d; j += 4) {
      v128_t g = wasm_f32x4_mul(wasm_v128_load(dy + j), wasm_v128_load(gamma + j));
      v128_t v = wasm_f32x4_sub(wasm_f32x4_sub(g, mg), wasm_f32x4_mul(wasm_v128_load(xhat + j), mgx));
      wasm_v128_store(dx + j, wasm_f32x4_mul(s, v));
    }
  }
}

/*
 * The bulk of crossEntropyRows: g = p * scale - shift over every row and the sum of each row of x
 * into sums[r]; the caller handles the label terms, the logs and padding rows.
 */
EXPORT(cross_entropy_rows) void cross_entropy_rows(const f32 *x, const f32 *p, int rows,
                                                   int vocab, f32 scale, f32 shift, f32 *g,
                                                   f32 *sums) {
  v128_t vs = wasm_f32x4_splat(scale), vh = wasm_f32x4_splat(shift);
  for (int r = 0; r < rows; r++, x += vocab, p += vocab, g += vocab) {
    v128_t s = wasm_f32x4_splat(0.0f);
    int j = 0;
    for (; j + 4 <= vocab; j += 4) {
      s = wasm_f32x4_add(s, wasm_v128_load(x + j));
      wasm_v128_store(g + j, wasm_f32x4_sub(wasm_f32x4_mul(wasm_v128_load(p + j), vs), vh));
    }
    f32 t = hsum(s);
    for (; j < vocab; j++) {
      t += x[j];
      g[j] = p[j] * scale - shift;
    }
    sums[r] = t;
  }
}

/* ---- the optimizer, on a memory of its own (optimizer.ts) ---- */

/* The sum of squares of x in float64, sequentially: the same rounding as the JS loop it replaced. */
EXPORT(sum_squares) double sum_squares(const f32 *x, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++) s += (double)x[i] * (double)x[i];
  return s;
}

/*
 * One Adam step in PyTorch's form, p -= step_size * m / (sqrt(v) / root_c2 + eps), in float64
 * operation for operation as the JS loop it replaced, so results are bit-identical to it.
 */
EXPORT(adam) void adam(f32 *w, f32 *m, f32 *v, const f32 *g, int n, double scale, double beta1,
                       double beta2, double eps, double step_size, double root_c2) {
  double b1 = 1.0 - beta1, b2 = 1.0 - beta2;
  for (int i = 0; i < n; i++) {
    double gi = (double)g[i] * scale;
    double mi = beta1 * (double)m[i] + b1 * gi;
    double vi = beta2 * (double)v[i] + b2 * gi * gi;
    m[i] = (f32)mi;
    v[i] = (f32)vi;
    w[i] = (f32)((double)w[i] - (step_size * mi) / (__builtin_sqrt(vi) / root_c2 + eps));
  }
}

/* ---- data-parallel gradients (parallel.ts) ---- */

/* out = weight * x, each product in float64 then rounded (as the JS loop it replaced). */
EXPORT(scale_into) void scale_into(f32 *out, const f32 *x, double weight, int n) {
  for (int i = 0; i < n; i++) out[i] = (f32)(weight * (double)x[i]);
}

/* out += weight * x, in float64 then rounded (as the JS loop it replaced). */
EXPORT(add_scaled) void add_scaled(f32 *out, const f32 *x, double weight, int n) {
  for (int i = 0; i < n; i++) out[i] = (f32)((double)out[i] + weight * (double)x[i]);
}
