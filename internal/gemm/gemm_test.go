package gemm

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// kinds returns the kernel kinds this machine can run, so that every path
// (AVX-512, AVX2, Go) is tested where the CPU allows.
func kinds(t testing.TB) []kernelKind {
	var ks []kernelKind
	for k := kindGo; k < numKinds; k++ {
		if available(k) {
			ks = append(ks, k)
		}
	}
	if len(ks) == 0 {
		t.Fatal("no kernel available")
	}
	return ks
}

// withKind runs f with kernel kind k and worker count w active.
func withKind(k kernelKind, w int, f func()) {
	oldK := setKind(k)
	oldW := workerOverride
	workerOverride = w
	defer func() {
		setKind(oldK)
		workerOverride = oldW
	}()
	f()
}

// operands is one test problem: op(A) is m×k, op(B) is k×n, stored with
// leading dimensions larger than needed when padded; padding holds a
// sentinel that must stay untouched in C.
type operands[T float32 | float64] struct {
	transA, transB bool
	m, n, k        int
	a, b, c0       []T
	lda, ldb, ldc  int
	ab, abs        []float64 // op(A)·op(B) and |op(A)|·|op(B)|, m×n
}

const sentinel = 12345.5

func newOperands[T float32 | float64](rnd *rand.Rand, transA, transB bool, m, n, k int, pad bool) *operands[T] {
	o := randOperands[T](rnd, transA, transB, m, n, k, pad)
	o.reference()
	return o
}

// randOperands makes the operands without the reference product.
func randOperands[T float32 | float64](rnd *rand.Rand, transA, transB bool, m, n, k int, pad bool) *operands[T] {
	o := &operands[T]{transA: transA, transB: transB, m: m, n: n, k: k}
	ra, ca := m, k
	if transA {
		ra, ca = k, m
	}
	rb, cb := k, n
	if transB {
		rb, cb = n, k
	}
	extra := 0
	if pad {
		extra = 3
	}
	o.lda, o.ldb, o.ldc = max(1, ca)+extra, max(1, cb)+extra, max(1, n)+extra
	o.a = randMatrix[T](rnd, ra, ca, o.lda)
	o.b = randMatrix[T](rnd, rb, cb, o.ldb)
	o.c0 = randMatrix[T](rnd, m, n, o.ldc)
	return o
}

// reference computes op(A)·op(B) and |op(A)|·|op(B)| in float64.
func (o *operands[T]) reference() {
	m, n, k := o.m, o.n, o.k
	o.ab = make([]float64, m*n)
	o.abs = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for p := 0; p < k; p++ {
			av := float64(o.opA(i, p))
			aa := math.Abs(av)
			ab := o.ab[i*n : i*n+n]
			abs := o.abs[i*n : i*n+n]
			for j := range ab {
				bv := float64(o.opB(p, j))
				ab[j] += av * bv
				abs[j] += aa * math.Abs(bv)
			}
		}
	}
}

// randMatrix returns an r×c matrix with stride ld; the padding columns
// hold the sentinel.
func randMatrix[T float32 | float64](rnd *rand.Rand, r, c, ld int) []T {
	s := make([]T, max(0, (r-1)*ld+c))
	for i := range s {
		s[i] = sentinel
	}
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			s[i*ld+j] = T(rnd.Float64()*2 - 1)
		}
	}
	return s
}

func (o *operands[T]) opA(i, p int) T {
	if o.transA {
		return o.a[p*o.lda+i]
	}
	return o.a[i*o.lda+p]
}

func (o *operands[T]) opB(p, j int) T {
	if o.transB {
		return o.b[j*o.ldb+p]
	}
	return o.b[p*o.ldb+j]
}

func eps[T float32 | float64]() float64 {
	var x T
	if _, ok := any(x).(float32); ok {
		return 0x1p-24
	}
	return 0x1p-53
}

// run computes the product with the package function for T.
func run[T float32 | float64](o *operands[T], alpha, beta T, c []T) {
	switch c := any(c).(type) {
	case []float32:
		a, b := any(o.a).([]float32), any(o.b).([]float32)
		Sgemm(o.transA, o.transB, o.m, o.n, o.k, float32(alpha), a, o.lda, b, o.ldb, float32(beta), c, o.ldc)
	case []float64:
		a, b := any(o.a).([]float64), any(o.b).([]float64)
		Dgemm(o.transA, o.transB, o.m, o.n, o.k, float64(alpha), a, o.lda, b, o.ldb, float64(beta), c, o.ldc)
	}
}

// check runs one product and compares it with the float64 reference,
// within a bound proportional to k·eps; the padding of C must not change.
// With nanC and beta == 0, C starts filled with NaN.
func (o *operands[T]) check(t *testing.T, alpha, beta T, nanC bool) {
	t.Helper()
	c := append([]T(nil), o.c0...)
	if nanC {
		for i := 0; i < o.m; i++ {
			for j := 0; j < o.n; j++ {
				c[i*o.ldc+j] = T(math.NaN())
			}
		}
	}
	run(o, alpha, beta, c)
	e := eps[T]()
	bad := 0
	for i := 0; i < o.m; i++ {
		for j := 0; j < o.ldc && i*o.ldc+j < len(c); j++ {
			got := float64(c[i*o.ldc+j])
			if j >= o.n {
				if got != sentinel {
					t.Fatalf("padding C[%d][%d] changed to %v", i, j, got)
				}
				continue
			}
			want := float64(alpha) * o.ab[i*o.n+j]
			bound := math.Abs(float64(alpha)) * o.abs[i*o.n+j]
			if beta != 0 {
				c0 := float64(o.c0[i*o.ldc+j])
				want += float64(beta) * c0
				bound += math.Abs(float64(beta) * c0)
			}
			tol := 2*float64(o.k+2)*e*bound + 1e-30
			if !(math.Abs(got-want) <= tol) {
				if bad++; bad <= 3 {
					t.Errorf("C[%d][%d] = %v, want %v (tol %v)", i, j, got, want, tol)
				}
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d wrong elements", bad)
	}
}

func transName(transA, transB bool) string {
	s := [2]string{"N", "T"}
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	return s[b2i(transA)] + s[b2i(transB)]
}

var (
	alphas = []float64{1, 0.5, 0}
	betas  = []float64{0, 1, -0.5}
	trans  = [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}}
)

// testSmall checks every kernel path on many small shapes; alpha, beta,
// padding and NaN-filled C rotate over the cases.
func testSmall[T float32 | float64](t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	dims := []int{0, 1, 2, 3, 5, 7, 15, 16, 17, 31, 33, 63, 64, 65}
	ks := []int{0, 1, 2, 7, 16, 33, 65}
	if testing.Short() {
		dims = []int{0, 1, 3, 16, 17, 33}
		ks = []int{0, 1, 7, 33}
	}
	n := 0
	for _, tr := range trans {
		for _, m := range dims {
			for _, nn := range dims {
				for _, k := range ks {
					n++
					o := newOperands[T](rnd, tr[0], tr[1], m, nn, k, n%2 == 0)
					alpha := T(alphas[n%3])
					beta := T(betas[(n/3)%3])
					for _, kind := range kinds(t) {
						withKind(kind, 1+n%2, func() {
							o.check(t, alpha, beta, beta == 0)
						})
						if t.Failed() {
							t.Fatalf("%s %s m=%d n=%d k=%d alpha=%v beta=%v", kind, transName(tr[0], tr[1]), m, nn, k, alpha, beta)
						}
					}
				}
			}
		}
	}
}

func TestSgemmSmall(t *testing.T) { testSmall[float32](t) }
func TestDgemmSmall(t *testing.T) { testSmall[float64](t) }

type shape struct{ m, n, k int }

// largeShapes are sizes around the block boundaries and from an MLP and a
// ConvNet (im2col).
var largeShapes = []shape{
	{127, 129, 257},
	{128, 128, 128},
	{129, 127, 513},
	{257, 1030, 3},
	{1, 300, 600},
	{300, 1, 600},
	{128, 128, 784},
	{128, 784, 128},
	{128, 128, 64},
	{784, 128, 128},
	{128, 10, 64},
	{64 * 26 * 26, 32, 9},
	{64 * 11 * 11, 64, 288},
}

// testLarge checks the larger shapes for all transposes, kernel paths,
// alpha and beta (NaN-filled C for beta = 0), and 1 and 2 workers.
func testLarge[T float32 | float64](t *testing.T) {
	rnd := rand.New(rand.NewSource(2))
	for si, s := range largeShapes {
		big := s.m*s.n*s.k > 1<<24
		if (testing.Short() || raceEnabled) && s.m*s.n*s.k > 1<<22 {
			continue // the race detector slows the Go kernel 10×
		}
		for ti, tr := range trans {
			if big && ti > 0 && ti != 2 {
				continue // the big im2col shapes: NN and TN only
			}
			o := newOperands[T](rnd, tr[0], tr[1], s.m, s.n, s.k, (si+ti)%2 == 1)
			for _, kind := range kinds(t) {
				for ai, alpha := range alphas {
					for bi, beta := range betas {
						if big && (ai+bi)%3 != 0 {
							continue
						}
						w := 1 + (ai+bi)%2
						withKind(kind, w, func() {
							o.check(t, T(alpha), T(beta), beta == 0)
						})
						if t.Failed() {
							t.Fatalf("%s %s %dx%dx%d alpha=%v beta=%v workers=%d", kind, transName(tr[0], tr[1]), s.m, s.n, s.k, alpha, beta, w)
						}
					}
				}
			}
		}
	}
}

func TestSgemmLarge(t *testing.T) { testLarge[float32](t) }
func TestDgemmLarge(t *testing.T) { testLarge[float64](t) }

// TestZeroSizes checks the quick returns: m or n zero leave C alone; k = 0
// or alpha = 0 scale C by beta without reading A or B.
func TestZeroSizes(t *testing.T) {
	c := []float32{1, 2, 3, 4}
	Sgemm(false, false, 0, 2, 2, 1, nil, 2, []float32{1, 1, 1, 1}, 2, 0, c, 2)
	Sgemm(false, false, 2, 0, 2, 1, []float32{1, 1, 1, 1}, 2, nil, 1, 0, c, 2)
	if c[0] != 1 || c[3] != 4 {
		t.Fatalf("m or n = 0 changed C: %v", c)
	}
	nan := float32(math.NaN())
	Sgemm(false, false, 2, 2, 0, 1, []float32{nan, nan}, 1, nil, 2, 2, c, 2)
	if want := []float32{2, 4, 6, 8}; fmt.Sprint(c) != fmt.Sprint(want) {
		t.Fatalf("k = 0, beta = 2: C = %v, want %v", c, want)
	}
	a := []float32{nan, nan, nan, nan}
	Sgemm(false, false, 2, 2, 2, 0, a, 2, a, 2, 0.5, c, 2)
	if want := []float32{1, 2, 3, 4}; fmt.Sprint(c) != fmt.Sprint(want) {
		t.Fatalf("alpha = 0, beta = 0.5: C = %v, want %v", c, want)
	}
	c = []float32{nan, nan, nan, nan}
	Sgemm(false, false, 2, 2, 2, 0, a, 2, a, 2, 0, c, 2)
	if want := []float32{0, 0, 0, 0}; fmt.Sprint(c) != fmt.Sprint(want) {
		t.Fatalf("alpha = 0, beta = 0: C = %v, want %v", c, want)
	}
}

// determinismShapes are split by columns and by rows, have several
// k-blocks, several column blocks of B, and edges everywhere.
var determinismShapes = []shape{{128, 128, 300}, {300, 64, 300}, {1000, 40, 600}, {70, 1100, 40}, {2000, 3, 300}}

// TestDeterminism checks that the result is bit-for-bit the same for 1, 2
// and 3 workers, on every kernel path.
func TestDeterminism(t *testing.T) {
	rnd := rand.New(rand.NewSource(3))
	for _, s := range determinismShapes {
		for _, tr := range trans {
			o := randOperands[float32](rnd, tr[0], tr[1], s.m, s.n, s.k, false)
			od := randOperands[float64](rnd, tr[0], tr[1], s.m, s.n, s.k, true)
			for _, kind := range kinds(t) {
				var ref []float32
				var refd []float64
				for w := 1; w <= 3; w++ {
					c := append([]float32(nil), o.c0...)
					cd := append([]float64(nil), od.c0...)
					withKind(kind, w, func() {
						run(o, 0.75, -0.5, c)
						run(od, 0.75, -0.5, cd)
					})
					if w == 1 {
						ref, refd = c, cd
						continue
					}
					for i := range c {
						if math.Float32bits(c[i]) != math.Float32bits(ref[i]) {
							t.Fatalf("%s %s %v: float32 result with %d workers differs at %d: %v vs %v", kind, transName(tr[0], tr[1]), s, w, i, c[i], ref[i])
						}
					}
					for i := range cd {
						if math.Float64bits(cd[i]) != math.Float64bits(refd[i]) {
							t.Fatalf("%s %s %v: float64 result with %d workers differs at %d", kind, transName(tr[0], tr[1]), s, w, i)
						}
					}
				}
			}
		}
	}
}

// TestParallelSplit checks that the products of TestDeterminism are really
// split across workers, by rows and by columns, so that the determinism
// test means something.
func TestParallelSplit(t *testing.T) {
	var byRows, byCols int
	for _, kind := range kinds(t) {
		for _, s := range determinismShapes {
			for _, tr := range trans {
				p := &product[float32]{kern: sKernels[kind], transA: tr[0], transB: tr[1], m: s.m, n: s.n, k: s.k}
				if float64(2*s.m*s.n*s.k) < parallelFlops {
					t.Fatalf("%v is too small to be split", s)
				}
				p.partition(2)
				if p.parts != 2 {
					t.Errorf("%s %v: %d parts, want 2", kind, s, p.parts)
				}
				limit := s.n
				if p.splitM {
					limit = s.m
					byRows++
				} else {
					byCols++
				}
				if p.bounds[0] != 0 || p.bounds[p.parts] != limit {
					t.Errorf("%s %v: bounds %v do not cover [0, %d)", kind, s, p.bounds[:p.parts+1], limit)
				}
			}
		}
	}
	if byRows == 0 || byCols == 0 {
		t.Errorf("%d splits by rows, %d by columns: want both", byRows, byCols)
	}
}

// TestAllocs checks that products do not allocate in the steady state, on
// one and two workers.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	m, n, k := 128, 784, 128
	a := make([]float32, m*k)
	b := make([]float32, k*n)
	c := make([]float32, m*n)
	ad := make([]float64, m*k)
	bd := make([]float64, k*n)
	cd := make([]float64, m*n)
	for _, w := range []int{1, 2} {
		withKind(bestKind, w, func() {
			f := func() {
				Sgemm(false, true, m, n, k, 1, a, k, b, k, 0, c, n)
				Sgemm(true, false, k, n, m, 1, a, k, c, n, 1, b, n)
				Dgemm(false, false, m, n, k, 1, ad, k, bd, n, 0, cd, n)
			}
			f()
			if allocs := testing.AllocsPerRun(20, f); allocs != 0 {
				t.Errorf("%d workers: %v allocations per run", w, allocs)
			}
		})
	}
}

// TestPanics checks that invalid arguments panic with gonum's messages.
func TestPanics(t *testing.T) {
	s := make([]float32, 100)
	cases := []struct {
		name          string
		tA, tB        blas.Transpose
		m, n, k       int
		lda, ldb, ldc int
		la, lb, lc    int
	}{
		{"bad transA", 'x', blas.NoTrans, 2, 2, 2, 2, 2, 2, 4, 4, 4},
		{"bad transB", blas.NoTrans, 'x', 2, 2, 2, 2, 2, 2, 4, 4, 4},
		{"m<0", blas.NoTrans, blas.NoTrans, -1, 2, 2, 2, 2, 2, 4, 4, 4},
		{"n<0", blas.NoTrans, blas.NoTrans, 2, -1, 2, 2, 2, 2, 4, 4, 4},
		{"k<0", blas.NoTrans, blas.NoTrans, 2, 2, -1, 2, 2, 2, 4, 4, 4},
		{"lda", blas.NoTrans, blas.NoTrans, 2, 3, 4, 3, 3, 3, 20, 20, 20},
		{"ldaT", blas.Trans, blas.NoTrans, 4, 3, 2, 3, 3, 3, 20, 20, 20},
		{"ldb", blas.NoTrans, blas.NoTrans, 2, 3, 4, 4, 2, 3, 20, 20, 20},
		{"ldbT", blas.NoTrans, blas.Trans, 2, 3, 4, 4, 3, 3, 20, 20, 20},
		{"ldc", blas.NoTrans, blas.NoTrans, 2, 3, 4, 4, 3, 2, 20, 20, 20},
		{"short a", blas.NoTrans, blas.NoTrans, 2, 3, 4, 4, 3, 3, 7, 20, 20},
		{"short b", blas.NoTrans, blas.NoTrans, 2, 3, 4, 4, 3, 3, 8, 11, 20},
		{"short c", blas.NoTrans, blas.NoTrans, 2, 3, 4, 4, 3, 3, 8, 12, 5},
	}
	for _, tc := range cases {
		call := func(f func()) (msg any) {
			defer func() { msg = recover() }()
			f()
			return nil
		}
		want := call(func() {
			gonum.Implementation{}.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, s[:tc.la], tc.lda, s[:tc.lb], tc.ldb, 0, s[:tc.lc], tc.ldc)
		})
		got := call(func() {
			Implementation{}.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, s[:tc.la], tc.lda, s[:tc.lb], tc.ldb, 0, s[:tc.lc], tc.ldc)
		})
		if want == nil {
			t.Fatalf("%s: gonum did not panic; bad test case", tc.name)
		}
		if got != want {
			t.Errorf("%s: panic %v, want %v", tc.name, got, want)
		}
	}
}

// TestImplementationMatchesGonum compares the blas.Float32/Float64 methods
// with gonum's on a product with all options set.
func TestImplementationMatchesGonum(t *testing.T) {
	rnd := rand.New(rand.NewSource(4))
	for _, tr := range trans {
		o := newOperands[float64](rnd, tr[0], tr[1], 37, 45, 51, true)
		tA, tB := blas.NoTrans, blas.NoTrans
		if tr[0] {
			tA = blas.Trans
		}
		if tr[1] {
			tB = blas.ConjTrans
		}
		want := append([]float64(nil), o.c0...)
		got := append([]float64(nil), o.c0...)
		gonum.Implementation{}.Dgemm(tA, tB, o.m, o.n, o.k, 0.5, o.a, o.lda, o.b, o.ldb, -0.5, want, o.ldc)
		Implementation{}.Dgemm(tA, tB, o.m, o.n, o.k, 0.5, o.a, o.lda, o.b, o.ldb, -0.5, got, o.ldc)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Fatalf("%s: C[%d] = %v, gonum %v", transName(tr[0], tr[1]), i, got[i], want[i])
			}
		}
		a32 := make([]float32, len(o.a))
		b32 := make([]float32, len(o.b))
		c32 := make([]float32, len(o.c0))
		w32 := make([]float32, len(o.c0))
		for i, v := range o.a {
			a32[i] = float32(v)
		}
		for i, v := range o.b {
			b32[i] = float32(v)
		}
		for i, v := range o.c0 {
			c32[i], w32[i] = float32(v), float32(v)
		}
		gonum.Implementation{}.Sgemm(tA, tB, o.m, o.n, o.k, 0.5, a32, o.lda, b32, o.ldb, -0.5, w32, o.ldc)
		Implementation{}.Sgemm(tA, tB, o.m, o.n, o.k, 0.5, a32, o.lda, b32, o.ldb, -0.5, c32, o.ldc)
		for i := range w32 {
			if math.Abs(float64(c32[i]-w32[i])) > 1e-4 {
				t.Fatalf("%s: float32 C[%d] = %v, gonum %v", transName(tr[0], tr[1]), i, c32[i], w32[i])
			}
		}
	}
}

// FuzzSgemm compares random small products with the float64 reference on
// every kernel path.
func FuzzSgemm(f *testing.F) {
	f.Add(uint8(1), uint8(1), uint8(1), uint8(0), int64(0))
	f.Add(uint8(13), uint8(33), uint8(7), uint8(0xff), int64(1))
	f.Add(uint8(12), uint8(32), uint8(64), uint8(0x5a), int64(2))
	f.Fuzz(func(t *testing.T, m, n, k, flags uint8, seed int64) {
		rnd := rand.New(rand.NewSource(seed))
		o := newOperands[float32](rnd, flags&1 != 0, flags&2 != 0, int(m%70), int(n%70), int(k%70), flags&4 != 0)
		alpha := float32(alphas[int(flags>>3)%3])
		beta := float32(betas[int(flags>>5)%3])
		for _, kind := range kinds(t) {
			withKind(kind, 1+int(flags>>7), func() {
				o.check(t, alpha, beta, flags&0x40 != 0 && beta == 0)
			})
		}
	})
}

// Swapping a product with few rows for its transpose computes the same
// bits as not swapping, for every transpose and beta.
func TestSwapSameBits(t *testing.T) {
	rnd := rand.New(rand.NewSource(11))
	defer func() { noSwap = false }()
	swapped := 0
	for _, s := range []struct{ m, n, k int }{{1, 128, 784}, {32, 128, 784}, {5, 70, 300}, {3, 9, 1000}, {32, 784, 128}} {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, beta := range []float32{0, 0.5} {
					o := randOperands[float32](rnd, tA, tB, s.m, s.n, s.k, true)
					if !swapPays(tA, tB, s.m, s.n, s.k, beta) {
						continue
					}
					swapped++
					var out [2][]float32
					for i, no := range []bool{true, false} {
						noSwap = no
						out[i] = append([]float32(nil), o.c0...)
						run(o, 1.5, beta, out[i])
					}
					if !slices.Equal(out[0], out[1]) {
						t.Errorf("%+v %s beta %v: swapped product differs", s, transName(tA, tB), beta)
					}
				}
			}
		}
	}
	if swapped < 20 {
		t.Errorf("only %d swapped products tested", swapped)
	}
	if !swapPays(false, false, 32, 128, 784, float32(0)) || swapPays(false, false, 128, 128, 784, float32(0)) {
		t.Error("swapPays: want the swap for a batch of 32 through a 784-128 layer, not for 128")
	}
}

// Sgemm1 and Dgemm1 compute Sgemm's and Dgemm's bits in one goroutine.
func TestSerialSameBits(t *testing.T) {
	rnd := rand.New(rand.NewSource(12))
	defer func(w int) { workerOverride = w }(workerOverride)
	workerOverride = 2
	for _, s := range []struct{ m, n, k int }{{300, 70, 290}, {1000, 64, 288}, {33, 500, 100}} {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				o := randOperands[float32](rnd, tA, tB, s.m, s.n, s.k, false)
				c1, c2 := append([]float32(nil), o.c0...), append([]float32(nil), o.c0...)
				Sgemm(tA, tB, s.m, s.n, s.k, 1, o.a, o.lda, o.b, o.ldb, 0.5, c1, o.ldc)
				Sgemm1(tA, tB, s.m, s.n, s.k, 1, o.a, o.lda, o.b, o.ldb, 0.5, c2, o.ldc)
				if !slices.Equal(c1, c2) {
					t.Errorf("%+v %s: Sgemm1 differs from Sgemm", s, transName(tA, tB))
				}
				d := randOperands[float64](rnd, tA, tB, s.m, s.n, s.k, false)
				e1, e2 := append([]float64(nil), d.c0...), append([]float64(nil), d.c0...)
				Dgemm(tA, tB, s.m, s.n, s.k, 1, d.a, d.lda, d.b, d.ldb, 0, e1, d.ldc)
				Dgemm1(tA, tB, s.m, s.n, s.k, 1, d.a, d.lda, d.b, d.ldb, 0, e2, d.ldc)
				if !slices.Equal(e1, e2) {
					t.Errorf("%+v %s: Dgemm1 differs from Dgemm", s, transName(tA, tB))
				}
			}
		}
	}
}
