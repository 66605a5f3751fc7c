package ops

import "math"

// The exponential and logarithm that a float32 model's binary
// cross-entropy and sigmoid outputs take per value, in float32 with
// Cephes' polynomials (expf, logf), eight values at a time with AVX2 where
// there is: through math.Exp and math.Log1p, in float64, they were about
// 60% of a dense autoencoder's training step. Both stay within 2 ulp of
// the correctly rounded result over their domain (tested against math.Exp
// and math.Log1p), and the AVX2 loops compute the same bits as the Go
// functions, so a value's result does not depend on where it sits.

// expNegConsts are the float32 constants of expNeg32, in the order
// expNeg8 reads them.
var expNegConsts = [...]float32{
	-87.33654,       // 0: the smallest argument (e^x is then the smallest normal float32)
	0,               // 4: the largest
	1.442695,        // 8: log2 e
	12582912,        // 12: 1.5·2^23, which rounds to an integer when added and subtracted
	0.693359375,     // 16: ln 2, its high part
	-2.12194440e-4,  // 20: ln 2, its low part (negated)
	1.9875691500e-4, // 24: the polynomial's coefficients
	1.3981999507e-3,
	8.3334519073e-3,
	4.1665795894e-2,
	1.6666665459e-1,
	5.0000001201e-1,
	1, // 48
}

// expNeg32 returns e^x for x ≤ 0: x above 0 counts as 0, and x below
// -87.33654 as -87.33654, where e^x is 1.18e-38 (the smallest normal
// float32) instead of a smaller or zero value. NaN stays NaN.
func expNeg32(x float32) float32 {
	c := &expNegConsts
	if x < c[0] {
		x = c[0]
	}
	if x > c[1] {
		x = c[1]
	}
	// float32(a*b) rounds the product, so that no compiler fuses it with
	// the addition (as the AVX2 loop does not).
	n := float32(x*c[2]) + c[3]
	n -= c[3]
	r := x - float32(n*c[4])
	r -= float32(n * c[5])
	p := float32(c[6]*r) + c[7]
	for _, k := range c[8:12] {
		p = float32(p*r) + k
	}
	p = float32(float32(p*r)*r) + r + c[12]
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// log1pConsts are the float32 constants of log1pUnit32, in the order
// log1p8 reads them.
var log1pConsts = [...]float32{
	1,                   // 0
	0.70710678118654752, // 4: √½
	0.5,                 // 8
	0.693359375,         // 12: ln 2, its high part
	-2.12194440e-4,      // 16: ln 2, its low part (negated)
	7.0376836292e-2,     // 20: the polynomial's coefficients
	-1.1514610310e-1,
	1.1676998740e-1,
	-1.2420140846e-1,
	1.4249322787e-1,
	-1.6668057665e-1,
	2.0000714765e-1,
	-2.4999993993e-1,
	3.3333331174e-1,
}

// log1pUnit32 returns log(1+x) for x in [0, 1], as the loss needs it for
// x = e^-|z|.
func log1pUnit32(x float32) float32 {
	c := &log1pConsts
	u := x + c[0]
	if u == c[0] {
		return x // x < 2^-24: log(1+x) = x to within float32 rounding
	}
	b := math.Float32bits(u)
	e := float32(int32(b>>23&0xff) - 126)
	m := math.Float32frombits(b&0x007fffff | 0x3f000000) // u = m·2^e, m in [0.5, 1)
	if m < c[1] {
		e -= c[0]
		m = m + m - c[0]
	} else {
		m -= c[0]
	}
	z := m * m
	y := float32(c[5]*m) + c[6]
	for _, k := range c[7:14] {
		y = float32(y*m) + k
	}
	y = float32(y*m) * z
	y += float32(e * c[4])
	y -= float32(c[2] * z)
	l := m + y + float32(e*c[3])
	// log(1+x) = log(u)·x/(u-1) corrects for the rounding of 1+x.
	return l * (x / (u - c[0]))
}

// expNegs sets x[i] = expNeg32(x[i]).
func expNegs(x []float32) {
	i := 0
	if haveAVX2 && len(x) >= 8 {
		i = len(x) &^ 7
		expNeg8(&x[0], i, &expNegConsts[0])
	}
	for ; i < len(x); i++ {
		x[i] = expNeg32(x[i])
	}
}

// log1pUnits sets x[i] = log1pUnit32(x[i]).
func log1pUnits(x []float32) {
	i := 0
	if haveAVX2 && len(x) >= 8 {
		i = len(x) &^ 7
		log1p8(&x[0], i, &log1pConsts[0])
	}
	for ; i < len(x); i++ {
		x[i] = log1pUnit32(x[i])
	}
}

// bceChunk is how many values bce32 and sigmoids32 take at a time, in a
// buffer on the stack.
const bceChunk = 256

// bce32 returns Σ softplus(z) - y·z over a float32 sample's values, the
// binary cross-entropy from the logits, with softplus(z) = max(z, 0) +
// log(1 + e^-|z|); with dz non-nil it writes scale·(σ(z) - y) into dz
// instead and returns 0. e^-|z| and the logarithm are float32 (expNegs,
// log1pUnits), the rest float64.
func bce32(z, y, dz []float32, scale float64) float64 {
	var buf, nbuf [bceChunk]float32
	var total float64
	for lo := 0; lo < len(z); lo += bceChunk {
		zc := z[lo:min(lo+bceChunk, len(z))]
		e := buf[:len(zc)]
		negAbs(e, zc)
		if dz != nil {
			// σ(z) - y as (1 - y) - σ(-|z|) for z ≥ 0 and σ(-|z|) - y
			// below: σ(-|z|) ≤ ½ has float32's relative precision, and
			// the difference, in float64, cancels nothing that σ(z) - 1
			// would (z large, y = 1).
			na := nbuf[:len(zc)]
			copy(na, e)
			expNegs(e)
			sigmoidsFromExp(e, na)
			for i, v := range zc {
				t, yi := float64(e[i]), float64(y[lo+i])
				d := t - yi
				if v >= 0 {
					d = (1 - yi) - t
				}
				dz[lo+i] = float32(scale * d)
			}
			continue
		}
		expNegs(e)
		log1pUnits(e)
		for i, v := range zc {
			zi := float64(v)
			total += max(zi, 0) + float64(e[i]) - float64(y[lo+i])*zi
		}
	}
	return total
}

// sigmoids32 sets z[i] = σ(z[i]) = 1/(1 + e^-z), from e^-|z| (expNegs and
// sigmoidsFromExp).
func sigmoids32(z []float32) {
	var buf [bceChunk]float32
	for lo := 0; lo < len(z); lo += bceChunk {
		zc := z[lo:min(lo+bceChunk, len(z))]
		e := buf[:len(zc)]
		negAbs(e, zc)
		expNegs(e)
		sigmoidsFromExp(e, zc)
		copy(zc, e)
	}
}

// negAbs sets dst[i] = -|z[i]|.
func negAbs(dst, z []float32) {
	for i, v := range z {
		dst[i] = math.Float32frombits(math.Float32bits(v) | 1<<31)
	}
}

// sigmoidFromExp32 returns σ(z) from e = e^-|z|: 1/(1 + e) for z ≥ 0,
// e/(1 + e) (exact for small σ) below.
func sigmoidFromExp32(z, e float32) float32 {
	s := 1 / (1 + e)
	if z < 0 {
		s = e * s
	}
	return s
}

// sigmoidsFromExp sets e[i] = sigmoidFromExp32(z[i], e[i]).
func sigmoidsFromExp(e, z []float32) {
	_ = z[len(e)-1]
	i := 0
	if haveAVX2 && len(e) >= 8 {
		i = len(e) &^ 7
		sigmoidExp8(&e[0], &z[0], i)
	}
	for ; i < len(e); i++ {
		e[i] = sigmoidFromExp32(z[i], e[i])
	}
}
