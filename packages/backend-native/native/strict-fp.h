// Included first by the files whose float32 arithmetic must be bitwise that of tfjs's kernels:
// nothing in them may become a fused multiply-add (GCC contracts a * b + c under -march=native
// otherwise); where an fma is meant, the code calls std::fma.
#pragma once
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
