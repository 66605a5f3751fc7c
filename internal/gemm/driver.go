package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// maxWorkers caps the number of goroutines that share one product.
const maxWorkers = 16

// parallelFlops is the smallest product (2·m·n·k floating-point operations)
// that is split across goroutines: about 7 µs on one core, where an awake
// helper already brings a 1.6× speed-up.
const parallelFlops = 1 << 20

// workerOverride, when positive, replaces GOMAXPROCS as the number of
// goroutines a product may use, and makes products share the work even
// with parked helpers (tests set it to check determinism).
var workerOverride int

// product holds one call's arguments and its partition of C. Products are
// recycled through a sync.Pool so that a call does not allocate.
type product[T float32 | float64] struct {
	kern           *kernel[T]
	transA, transB bool
	m, n, k        int
	alpha, beta    T
	a, b, c        []T
	lda, ldb, ldc  int
	kc             int // depth of every k-block except possibly the last

	ct []T // Cᵀ of a swapped product (see swapPays)

	splitM   bool                // parts are bands of rows (else of columns)
	parts    int                 // number of parts
	bounds   [maxWorkers + 1]int // part p covers [bounds[p], bounds[p+1])
	gen      uint32              // generation: incremented at each use
	claims   claims              // parts claimed so far, for generation gen
	finished atomic.Int32        // parts computed
}

// buffers are one goroutine's packing buffers.
type buffers[T float32 | float64] struct {
	bp      []T // packed kc×nc block of op(B), as nr-wide panels
	ap      []T // packed mr×kc sliver of op(A)
	scratch []T // mr×nr tile for edges of C
}

var (
	sProducts, dProducts sync.Pool
	sBuffers, dBuffers   sync.Pool
)

func getProduct[T float32 | float64]() *product[T] {
	var zero T
	var v any
	if _, ok := any(zero).(float32); ok {
		v = sProducts.Get()
	} else {
		v = dProducts.Get()
	}
	if v == nil {
		return new(product[T])
	}
	return v.(*product[T])
}

func putProduct[T float32 | float64](p *product[T]) {
	p.a, p.b, p.c, p.kern = nil, nil, nil, nil
	if _, ok := any(p).(*product[float32]); ok {
		sProducts.Put(p)
	} else {
		dProducts.Put(p)
	}
}

func getBuffers[T float32 | float64]() *buffers[T] {
	var zero T
	var v any
	if _, ok := any(zero).(float32); ok {
		v = sBuffers.Get()
	} else {
		v = dBuffers.Get()
	}
	if v == nil {
		return new(buffers[T])
	}
	return v.(*buffers[T])
}

func putBuffers[T float32 | float64](b *buffers[T]) {
	if _, ok := any(b).(*buffers[float32]); ok {
		sBuffers.Put(b)
	} else {
		dBuffers.Put(b)
	}
}

// grow returns s resliced or reallocated to length n.
func grow[T float32 | float64](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// numWorkers is the number of goroutines a product may use.
func numWorkers() int {
	w := workerOverride
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return max(1, min(w, maxWorkers))
}

// multiply computes C = alpha·op(A)·op(B) + beta·C for validated arguments
// with m, n, k ≥ 1 and alpha ≠ 0.
func multiply[T float32 | float64](kern *kernel[T], serial, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	p := getProduct[T]()
	p.kern = kern
	p.k = k
	p.alpha, p.beta = alpha, beta
	swap := swapPays(transA, transB, m, n, k, beta) && !noSwap
	if swap {
		// Cᵀ = op(B)ᵀ·op(A)ᵀ into p.ct (n × m), then transposed into C.
		p.ct = grow(p.ct, m*n)
		if !isZero(beta) {
			Transpose(m, n, c, ldc, p.ct, m)
		}
		p.transA, p.transB = !transB, !transA
		p.m, p.n = n, m
		p.a, p.b, p.c = b, a, p.ct
		p.lda, p.ldb, p.ldc = ldb, lda, m
	} else {
		p.transA, p.transB = transA, transB
		p.m, p.n = m, n
		p.a, p.b, p.c = a, b, c
		p.lda, p.ldb, p.ldc = lda, ldb, ldc
	}
	// Equal k-blocks no deeper than kern.kc. The blocking depends on k
	// alone, so every element sees the same sequence of partial sums
	// whatever the partition of C.
	nkb := (k + kern.kc - 1) / kern.kc
	p.kc = (k + nkb - 1) / nkb

	workers := 1
	flops := 2 * float64(m) * float64(n) * float64(k)
	if flops >= parallelFlops && !serial {
		workers = numWorkers()
	}
	wake := 0
	if workers > 1 && flops < coldFlops && awake() == 0 && workerOverride <= 0 {
		// Not worth waiting for parked helpers: compute alone, but wake
		// them up for the products that follow.
		wake, workers = workers-1, 1
	}
	p.partition(workers)
	p.gen++
	p.finished.Store(0)
	p.claims.reset(p.gen, p.parts)
	if helpers := p.parts - 1; helpers > 0 {
		startWorkers(helpers)
		post(token{j: p, gen: p.gen, ok: true}, helpers)
	} else if wake > 0 {
		startWorkers(wake)
		post(token{ok: true}, wake)
	}
	p.work(p.gen)
	waitFor(&p.finished, int32(p.parts))
	if swap {
		Transpose(n, m, p.ct, m, c, ldc)
	}
	putProduct(p)
}

// noSwap turns swapPays off, for tests.
var noSwap bool

// swapPays reports whether computing Cᵀ = op(B)ᵀ·op(A)ᵀ and transposing
// it into C packs less than computing C = op(A)·op(B): a product packs its
// second operand (transposing it costs about twice as much per value as
// copying it), and the swap adds one transposition of C, two when beta is
// not zero. It pays when A has few rows: a batch of 32 or a single sample
// through a dense layer, whose weights are then read in place. Each value
// of C is the same sum in the same order either way.
func swapPays[T float32 | float64](transA, transB bool, m, n, k int, beta T) bool {
	if m >= n {
		return false
	}
	cost := func(transposed bool) float64 {
		if transposed {
			return 2
		}
		return 1
	}
	normal := cost(transB) * float64(k) * float64(n)
	swapped := cost(!transA)*float64(m)*float64(k) + 2*float64(m)*float64(n)
	if beta != 0 {
		swapped += 2 * float64(m) * float64(n)
	}
	return swapped < normal
}

// work claims and computes parts of generation gen until none is left.
// Once a part is counted as finished, the product may be recycled: only
// claims may be touched after that.
func (p *product[T]) work(gen uint32) {
	var buf *buffers[T]
	for {
		i := p.claims.claim(gen)
		if i < 0 {
			break
		}
		if buf == nil {
			buf = getBuffers[T]()
		}
		if p.splitM {
			p.block(buf, p.bounds[i], p.bounds[i+1], 0, p.n)
		} else {
			p.block(buf, 0, p.m, p.bounds[i], p.bounds[i+1])
		}
		p.finished.Add(1)
	}
	if buf != nil {
		putBuffers(buf)
	}
}

// partition splits C into at most workers bands of whole tiles, either of
// rows or of columns, whichever a simple cost model prefers: multiply-add
// cycles of the largest band, plus its packing of op(B) and its reading of
// op(A) (a band of rows packs all of op(B) and reads its rows of op(A); a
// band of columns packs its columns of op(B) and reads all of op(A)).
func (p *product[T]) partition(workers int) {
	kr := p.kern
	tm := (p.m + kr.mr - 1) / kr.mr
	tn := (p.n + kr.nr - 1) / kr.nr
	fk := float64(p.k)
	tile := float64(kr.mr*kr.nr) / float64(kr.vecFMA) // cycles per tile per k
	const readA = 0.1                                 // cycles per element of op(A)
	packB := 0.25                                     // cycles per element copied
	if p.transB {
		packB = 1 // per element transposed
	}
	pm, pn := min(workers, tm), min(workers, tn)
	bandM, bandN := (tm+pm-1)/pm, (tn+pn-1)/pn // tiles per band
	costM := fk * (float64(bandM*tn)*tile + float64(p.n)*packB + float64(bandM*kr.mr)*readA)
	costN := fk * (float64(tm*bandN)*tile + float64(bandN*kr.nr)*packB + float64(p.m)*readA)
	var tiles, size, limit int
	if costM <= costN {
		p.splitM, p.parts, tiles, size, limit = true, pm, tm, kr.mr, p.m
	} else {
		p.splitM, p.parts, tiles, size, limit = false, pn, tn, kr.nr, p.n
	}
	for i := 0; i <= p.parts; i++ {
		p.bounds[i] = min(limit, (i*tiles/p.parts)*size)
	}
}

// residentB is the largest packed op(B) block, in bytes, that is kept for
// the whole depth k (see block). It is about half the 2 MB L2 cache per
// core of the machines this was tuned on.
const residentB = 1 << 20

// block computes the rows [i0, i1) and columns [j0, j1) of C, in column
// blocks at most nc wide. For each, it packs op(B)'s kc×nc blocks (kept in
// L2) and runs mr-high row slivers of op(A) (kept in L1) against the
// nr-wide panels of the packed block. If all k rows of the packed block
// fit in residentB, they are packed first and each sliver of C then goes
// through every k-block while it is in cache; otherwise the loop over
// k-blocks is outside the loop over slivers. Either way each element of C
// sees the same sequence of k-blocks and kernel calls.
func (p *product[T]) block(buf *buffers[T], i0, i1, j0, j1 int) {
	kr := p.kern
	mr, nr := kr.mr, kr.nr
	buf.scratch = grow(buf.scratch, mr*nr)
	buf.ap = grow(buf.ap, mr*p.kc)
	var zero T
	elem := int(unsafe.Sizeof(zero))
	for jc := j0; jc < j1; jc += kr.nc {
		nc := min(kr.nc, j1-jc)
		ncp := (nc + nr - 1) / nr * nr
		if p.k*ncp*elem <= residentB {
			// Pack all of op(B)[:, jc:jc+nc]; k-block pc starts at pc*ncp.
			buf.bp = grow(buf.bp, ncp*p.k)
			for pc := 0; pc < p.k; pc += p.kc {
				kc := min(p.kc, p.k-pc)
				p.packB(buf.bp[pc*ncp:], pc, kc, jc, nc)
			}
			for ir := i0; ir < i1; ir += mr {
				h := min(mr, i1-ir)
				for pc := 0; pc < p.k; pc += p.kc {
					kc := min(p.kc, p.k-pc)
					p.sliver(buf, buf.bp[pc*ncp:], ir, h, pc, kc, jc, nc)
				}
			}
			continue
		}
		buf.bp = grow(buf.bp, ncp*p.kc)
		for pc := 0; pc < p.k; pc += p.kc {
			kc := min(p.kc, p.k-pc)
			p.packB(buf.bp, pc, kc, jc, nc)
			for ir := i0; ir < i1; ir += mr {
				p.sliver(buf, buf.bp, ir, min(mr, i1-ir), pc, kc, jc, nc)
			}
		}
	}
}

// sliver updates C[ir:ir+h, jc:jc+nc] with op(A)[ir:ir+h, pc:pc+kc] times
// the packed block bp of op(B)[pc:pc+kc, jc:jc+nc].
func (p *product[T]) sliver(buf *buffers[T], bp []T, ir, h, pc, kc, jc, nc int) {
	kr := p.kern
	mr, nr := kr.mr, kr.nr
	beta := p.beta
	if pc > 0 {
		beta = 1
	}
	// op(A) is read in place, except for edge slivers (the kernel reads
	// mr rows), which are packed with zero rows.
	var ap *T
	var rsa, csa int
	switch {
	case h < mr && p.transA:
		packAT(buf.ap, p.a, p.lda, pc, kc, ir, h, mr)
		ap, rsa, csa = &buf.ap[0], 1, mr
	case h < mr:
		packAN(buf.ap, p.a, p.lda, pc, kc, ir, h, mr)
		ap, rsa, csa = &buf.ap[0], kc, 1
	case p.transA:
		ap, rsa, csa = &p.a[pc*p.lda+ir], 1, p.lda
	default:
		ap, rsa, csa = &p.a[ir*p.lda+pc], p.lda, 1
	}
	for jr := 0; jr < nc; jr += nr {
		w := min(nr, nc-jr)
		b := &bp[jr*kc]
		ci := ir*p.ldc + jc + jr
		if h == mr && w == nr {
			kr.fn(kc, ap, rsa, csa, b, &p.c[ci], p.ldc, p.alpha, beta)
			continue
		}
		// Edge tile: run the same kernel on a scratch tile so that the
		// arithmetic is the same as for inner tiles.
		s := buf.scratch
		if !isZero(beta) {
			for r := 0; r < h; r++ {
				copy(s[r*nr:r*nr+w], p.c[ci+r*p.ldc:ci+r*p.ldc+w])
			}
		}
		kr.fn(kc, ap, rsa, csa, b, &s[0], nr, p.alpha, beta)
		for r := 0; r < h; r++ {
			copy(p.c[ci+r*p.ldc:ci+r*p.ldc+w], s[r*nr:r*nr+w])
		}
	}
}

// packB packs op(B)[pc:pc+kc, jc:jc+nc] into nr-wide panels: element (p, j)
// of panel q goes to dst[q*nr*kc + p*nr + j]. Columns past nc are zero.
func (p *product[T]) packB(dst []T, pc, kc, jc, nc int) {
	nr := p.kern.nr
	b, ldb := p.b, p.ldb
	for jr := 0; jr < nc; jr += nr {
		w := min(nr, nc-jr)
		d := dst[jr*kc : jr*kc+kc*nr]
		if !p.transB {
			// op(B)(p, j) = b[p*ldb + j]: copy rows.
			copyRows(d, nr, b[pc*ldb+jc+jr:], ldb, kc, w)
		} else {
			// op(B)(p, j) = b[j*ldb + p]: transpose.
			p.transposeB(d, nr, b[(jc+jr)*ldb+pc:], ldb, kc, w)
		}
		if w < nr {
			for q := 0; q < kc; q++ {
				clear(d[q*nr+w : q*nr+nr])
			}
		}
	}
}

// transposeB sets d[q*ldd + j] = s[j*lds + q] for q < kc, j < w.
func (p *product[T]) transposeB(d []T, ldd int, s []T, lds, kc, w int) {
	j := 0
	if tb := p.kern.tb; p.kern.transpose != nil && kc >= tb {
		nb := kc / tb
		for ; j+tb <= w; j += tb {
			// Bounds for the assembly: rows j..j+tb-1 of s, q < nb·tb.
			_ = s[(j+tb-1)*lds+nb*tb-1]
			_ = d[(nb*tb-1)*ldd+j+tb-1]
			p.kern.transpose(&d[j], ldd, &s[j*lds], lds, nb)
			for jj := j; jj < j+tb; jj++ {
				src := s[jj*lds+nb*tb : jj*lds+kc]
				for q, v := range src {
					d[(nb*tb+q)*ldd+jj] = v
				}
			}
		}
	}
	// Columns in groups of four: four read streams, one write per row.
	for ; j+4 <= w; j += 4 {
		s0 := s[j*lds : j*lds+kc]
		s1 := s[(j+1)*lds : (j+1)*lds+kc]
		s2 := s[(j+2)*lds : (j+2)*lds+kc]
		s3 := s[(j+3)*lds : (j+3)*lds+kc]
		for q := range s0 {
			row := d[q*ldd+j : q*ldd+j+4 : q*ldd+j+4]
			row[0], row[1], row[2], row[3] = s0[q], s1[q], s2[q], s3[q]
		}
	}
	for ; j < w; j++ {
		src := s[j*lds : j*lds+kc]
		for q, v := range src {
			d[q*ldd+j] = v
		}
	}
}

// copyRows sets d[q*ldd + j] = s[q*lds + j] for q < rows, j < w. The
// widths of the packed panels and slivers have unrolled copies, faster
// than calls to copy for so few elements.
func copyRows[T float32 | float64](d []T, ldd int, s []T, lds, rows, w int) {
	if rows == 0 {
		return
	}
	_ = s[(rows-1)*lds+w-1]
	_ = d[(rows-1)*ldd+w-1]
	switch w {
	case 32:
		for q := 0; q < rows; q++ {
			*(*[32]T)(d[q*ldd:]) = *(*[32]T)(s[q*lds:])
		}
	case 16:
		for q := 0; q < rows; q++ {
			*(*[16]T)(d[q*ldd:]) = *(*[16]T)(s[q*lds:])
		}
	case 12:
		for q := 0; q < rows; q++ {
			*(*[12]T)(d[q*ldd:]) = *(*[12]T)(s[q*lds:])
		}
	case 8:
		for q := 0; q < rows; q++ {
			*(*[8]T)(d[q*ldd:]) = *(*[8]T)(s[q*lds:])
		}
	case 6:
		for q := 0; q < rows; q++ {
			*(*[6]T)(d[q*ldd:]) = *(*[6]T)(s[q*lds:])
		}
	case 4:
		for q := 0; q < rows; q++ {
			*(*[4]T)(d[q*ldd:]) = *(*[4]T)(s[q*lds:])
		}
	default:
		for q := 0; q < rows; q++ {
			copy(d[q*ldd:q*ldd+w], s[q*lds:q*lds+w])
		}
	}
}

// packAT packs op(A)[ir:ir+h, pc:pc+kc] for a transposed A, where
// op(A)(r, p) = a[p*lda + r], into dst[p*mr + r]; rows past h are zero.
func packAT[T float32 | float64](dst, a []T, lda, pc, kc, ir, h, mr int) {
	copyRows(dst, mr, a[pc*lda+ir:], lda, kc, h)
	if h < mr {
		for q := 0; q < kc; q++ {
			clear(dst[q*mr+h : q*mr+mr])
		}
	}
}

// packAN packs op(A)[ir:ir+h, pc:pc+kc] for an untransposed A into
// dst[r*kc + p]; rows past h are zero. Only edge slivers (h < mr) are
// packed: full ones are read in place.
func packAN[T float32 | float64](dst, a []T, lda, pc, kc, ir, h, mr int) {
	for r := 0; r < h; r++ {
		off := (ir+r)*lda + pc
		copy(dst[r*kc:r*kc+kc], a[off:off+kc])
	}
	clear(dst[h*kc : mr*kc])
}
