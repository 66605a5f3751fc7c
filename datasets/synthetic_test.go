package datasets

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestSyntheticShapes(t *testing.T) {
	linear, _ := Linear(9, 3, 0.1, 1)
	tests := []struct {
		d        *Dataset
		name     string
		n        int
		features []string
		classes  []string
	}{
		{Blobs(10, 3, 0.5, 1), "blobs", 10, []string{"x1", "x2"}, []string{"0", "1", "2"}},
		{XOR(10, 0.1, 1), "xor", 10, []string{"x1", "x2"}, []string{"0", "1"}},
		{Moons(11, 0.1, 1), "moons", 11, []string{"x1", "x2"}, []string{"0", "1"}},
		{Circles(1, 0.1, 0.5, 1), "circles", 1, []string{"x1", "x2"}, []string{"0", "1"}},
		{Spiral(13, 3, 0.1, 1), "spiral", 13, []string{"x1", "x2"}, []string{"0", "1", "2"}},
		{linear, "linear", 9, []string{"x1", "x2", "x3"}, nil},
		{Plane(9, 0.1, 1), "plane", 9, []string{"x1", "x2"}, nil},
		{Gaussians(9, 0.1, 1), "gaussians", 9, []string{"x1", "x2"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.d
			if d.Name != tt.name || d.Len() != tt.n || !slices.Equal(d.Features, tt.features) || !slices.Equal(d.Classes, tt.classes) {
				t.Errorf("got %q with %d samples, features %q, classes %q; want %q, %d, %q, %q",
					d.Name, d.Len(), d.Features, d.Classes, tt.name, tt.n, tt.features, tt.classes)
			}
			if err := d.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestSyntheticDeterministic(t *testing.T) {
	gens := map[string]func(seed int64) *Dataset{
		"blobs":     func(seed int64) *Dataset { return Blobs(50, 3, 1, seed) },
		"xor":       func(seed int64) *Dataset { return XOR(50, 0.1, seed) },
		"moons":     func(seed int64) *Dataset { return Moons(50, 0.1, seed) },
		"circles":   func(seed int64) *Dataset { return Circles(50, 0.1, 0.5, seed) },
		"spiral":    func(seed int64) *Dataset { return Spiral(50, 2, 0.1, seed) },
		"plane":     func(seed int64) *Dataset { return Plane(50, 0.1, seed) },
		"gaussians": func(seed int64) *Dataset { return Gaussians(50, 0.1, seed) },
		"linear": func(seed int64) *Dataset {
			d, _ := Linear(50, 2, 0.1, seed)
			return d
		},
	}
	for name, gen := range gens {
		a, b, c := gen(1), gen(1), gen(2)
		if !slices.Equal(a.X, b.X) || !slices.Equal(a.Y, b.Y) {
			t.Errorf("%s: seed 1 twice gave different data; want identical", name)
		}
		if slices.Equal(a.X, c.X) {
			t.Errorf("%s: seeds 1 and 2 gave the same features; want different", name)
		}
	}
}

func TestBlobsBalanceAndCentres(t *testing.T) {
	for _, tt := range []struct{ n, classes int }{{1000, 2}, {1001, 3}, {7, 4}} {
		d := Blobs(tt.n, tt.classes, 0.3, 5)
		sums := make([][2]float64, tt.classes)
		for i := range d.Len() {
			c := d.Label(i)
			sums[c][0] += float64(d.Row(i)[0])
			sums[c][1] += float64(d.Row(i)[1])
		}
		for c, count := range d.ClassCounts() {
			if want := float64(tt.n) / float64(tt.classes); math.Abs(float64(count)-want) >= 1 {
				t.Errorf("Blobs(%d, %d): class %d has %d points; want within 1 of %.2f", tt.n, tt.classes, c, count, want)
			}
			a := 2 * math.Pi * float64(c) / float64(tt.classes)
			mx, my := sums[c][0]/float64(count), sums[c][1]/float64(count)
			if tol := 4 * 0.3 / math.Sqrt(float64(count)); math.Abs(mx-3*math.Cos(a)) > tol || math.Abs(my-3*math.Sin(a)) > tol {
				t.Errorf("Blobs(%d, %d): class %d centred at (%.3f, %.3f); want (%.3f, %.3f) within %.3f",
					tt.n, tt.classes, c, mx, my, 3*math.Cos(a), 3*math.Sin(a), tol)
			}
		}
	}
}

func TestBlobsSeparable(t *testing.T) {
	// The centres are (3, 0) and (-3, 0): the line x1 = 0 separates them.
	for seed := range int64(5) {
		d := Blobs(1000, 2, 0.5, seed)
		for i := range d.Len() {
			if x1 := d.Row(i)[0]; (x1 > 0) != (d.Label(i) == 0) {
				t.Errorf("seed %d: sample %d of class %d has x1 = %v; want the classes on either side of x1 = 0", seed, i, d.Label(i), x1)
			}
		}
	}
}

func TestXORTruthTable(t *testing.T) {
	d := XOR(8, 0, 1)
	want := []float32{0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1}
	if !slices.Equal(d.X, want) {
		t.Errorf("XOR(8, 0) X = %v; want %v", d.X, want)
	}
	if want := []float32{0, 1, 1, 0, 0, 1, 1, 0}; !slices.Equal(d.Y, want) {
		t.Errorf("XOR(8, 0) Y = %v; want %v", d.Y, want)
	}
}

func TestXORNoise(t *testing.T) {
	const n, noise = 4000, 0.2
	d := XOR(n, noise, 3)
	var sum, sq float64
	for i := range d.Len() {
		for j, v := range d.Row(i) {
			corner := float64((i >> (1 - j)) & 1)
			e := float64(v) - corner
			sum += e
			sq += e * e
		}
	}
	mean, std := sum/(2*n), math.Sqrt(sq/(2*n))
	if math.Abs(mean) > 0.01 || math.Abs(std-noise) > 0.01 {
		t.Errorf("XOR noise: mean %.4f, std %.4f; want 0, %v within 0.01", mean, std, noise)
	}
}

// radii returns, per class, the mean and standard deviation of the points'
// distances from centre(class).
func radii(d *Dataset, centre func(class int) (float64, float64)) (mean, std []float64) {
	sum, sq, n := make([]float64, 2), make([]float64, 2), make([]float64, 2)
	for i := range d.Len() {
		c := d.Label(i)
		cx, cy := centre(c)
		r := math.Hypot(float64(d.Row(i)[0])-cx, float64(d.Row(i)[1])-cy)
		sum[c] += r
		sq[c] += r * r
		n[c]++
	}
	for c := range 2 {
		m := sum[c] / n[c]
		mean = append(mean, m)
		std = append(std, math.Sqrt(max(0, sq[c]/n[c]-m*m)))
	}
	return mean, std
}

func TestMoons(t *testing.T) {
	centre := func(c int) (float64, float64) { return float64(c), 0.5 * float64(c) }
	for _, tt := range []struct {
		noise, tol float64
	}{{0, 1e-6}, {0.1, 0.02}} {
		d := Moons(2001, tt.noise, 4)
		if got := d.ClassCounts(); !slices.Equal(got, []int{1000, 1001}) {
			t.Errorf("Moons(2001) class counts %v; want [1000 1001]", got)
		}
		mean, _ := radii(d, centre)
		for c, r := range mean {
			if math.Abs(r-1) > tt.tol {
				t.Errorf("Moons noise %v: class %d at mean distance %.4f from its centre; want 1 within %v", tt.noise, c, r, tt.tol)
			}
		}
		if tt.noise != 0 {
			continue
		}
		for i := range d.Len() {
			// The outer moon is the upper half, the inner the lower half.
			if y := float64(d.Row(i)[1]); (d.Label(i) == 0 && y < -1e-6) || (d.Label(i) == 1 && y > 0.5+1e-6) {
				t.Errorf("sample %d of class %d has x2 = %v; want the outer moon above 0, the inner below 0.5", i, d.Label(i), y)
			}
		}
	}
}

func TestCircles(t *testing.T) {
	centre := func(int) (float64, float64) { return 0, 0 }
	for _, tt := range []struct {
		noise, factor, tol float64
	}{{0, 0.5, 1e-6}, {0, 0.8, 1e-6}, {0.05, 0.3, 0.01}} {
		d := Circles(3001, tt.noise, tt.factor, 6)
		if got := d.ClassCounts(); !slices.Equal(got, []int{1500, 1501}) {
			t.Errorf("Circles(3001) class counts %v; want [1500 1501]", got)
		}
		mean, std := radii(d, centre)
		for c, want := range []float64{1, tt.factor} {
			if math.Abs(mean[c]-want) > tt.tol {
				t.Errorf("Circles noise %v factor %v: class %d at mean radius %.4f; want %v within %v", tt.noise, tt.factor, c, mean[c], want, tt.tol)
			}
			if tt.noise > 0 && math.Abs(std[c]-tt.noise) > tt.tol {
				t.Errorf("Circles noise %v: class %d radius std %.4f; want %v within %v", tt.noise, c, std[c], tt.noise, tt.tol)
			}
		}
	}
}

func TestLinear(t *testing.T) {
	for _, tt := range []struct {
		noise, tol float64
	}{{0, 1e-5}, {0.3, 0.015}} {
		d, coef := Linear(5000, 3, tt.noise, 8)
		if len(coef) != 4 || d.IsClassification() || !slices.Equal(d.Targets, []string{"y"}) {
			t.Fatalf("Linear: %d coefficients, classes %q, targets %q; want 4, none, [y]", len(coef), d.Classes, d.Targets)
		}
		var sq float64
		for i := range d.Len() {
			pred := coef[3]
			for j, x := range d.Row(i) {
				if x < -1 || x > 1 {
					t.Fatalf("feature %v outside [-1, 1]", x)
				}
				pred += coef[j] * float64(x)
			}
			e := float64(d.Y[i]) - pred
			sq += e * e
			if tt.noise == 0 && math.Abs(e) > tt.tol {
				t.Errorf("noiseless sample %d: y %v; want w·x+b = %v", i, d.Y[i], pred)
			}
		}
		if std := math.Sqrt(sq / float64(d.Len())); math.Abs(std-tt.noise) > tt.tol {
			t.Errorf("Linear noise %v: residual std %.4f; want within %v", tt.noise, std, tt.tol)
		}
	}
}

func TestSynthetic(t *testing.T) {
	if got, want := SyntheticNames(), []string{"blobs", "circles", "gaussians", "linear", "moons", "plane", "spiral", "xor"}; !slices.Equal(got, want) {
		t.Errorf("SyntheticNames() = %q; want %q", got, want)
	}
	for _, name := range SyntheticNames() {
		d, err := Synthetic(name, 100, 1)
		if err != nil || d.Name != name || d.Len() != 100 {
			t.Errorf("Synthetic(%q, 100) = %v samples named %q, %v; want 100 named %q", name, d.Len(), d.Name, err, name)
		}
	}
	tests := []struct {
		name string
		n    int
		want string
	}{
		{"spirals", 100, `unknown synthetic data set "spirals"; want one of blobs, circles, gaussians, linear, moons, plane, spiral, xor`},
		{"xor", 0, "0 samples"},
		{"moons", -5, "-5 samples"},
		{"blobs", maxSyntheticSamples + 1, "10000001 samples"},
	}
	for _, tt := range tests {
		if _, err := Synthetic(tt.name, tt.n, 1); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Synthetic(%q, %d) error %v; want one containing %q", tt.name, tt.n, err, tt.want)
		}
	}
}

func TestGeneratorPreconditions(t *testing.T) {
	tests := []struct {
		name string
		call func()
		want string
	}{
		{"Blobs n", func() { Blobs(0, 2, 1, 1) }, "Blobs: n = 0"},
		{"Blobs classes", func() { Blobs(5, 1, 1, 1) }, "Blobs: classes = 1"},
		{"Blobs spread", func() { Blobs(5, 2, -1, 1) }, "Blobs: spread = -1"},
		{"XOR n", func() { XOR(-1, 0, 1) }, "XOR: n = -1"},
		{"XOR noise NaN", func() { XOR(4, math.NaN(), 1) }, "XOR: noise = NaN"},
		{"Moons noise", func() { Moons(4, math.Inf(1), 1) }, "Moons: noise = +Inf"},
		{"Circles factor 1", func() { Circles(4, 0, 1, 1) }, "Circles: factor = 1"},
		{"Circles factor 0", func() { Circles(4, 0, 0, 1) }, "Circles: factor = 0"},
		{"Linear features", func() { Linear(4, 0, 0, 1) }, "Linear: features = 0"},
		{"Spiral classes", func() { Spiral(4, 1, 0, 1) }, "Spiral: classes = 1"},
		{"Spiral noise", func() { Spiral(4, 2, -0.1, 1) }, "Spiral: noise = -0.1"},
		{"Plane n", func() { Plane(0, 0, 1) }, "Plane: n = 0"},
		{"Gaussians noise", func() { Gaussians(3, math.NaN(), 1) }, "Gaussians: noise = NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, tt.want) {
					t.Errorf("panic %q; want one containing %q", msg, tt.want)
				}
			}()
			tt.call()
		})
	}
}

func TestFunction(t *testing.T) {
	d := Function(math.Sin, 101, -math.Pi, math.Pi, 0, 1)
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.Len() != 101 || d.X[0] != float32(-math.Pi) || d.X[100] != float32(math.Pi) || math.Abs(float64(d.Y[25])-math.Sin(-math.Pi/2)) > 1e-6 {
		t.Errorf("Function(sin) = x %v..%v, y[25] %v", d.X[0], d.X[100], d.Y[25])
	}
	noisy := Function(math.Sin, 2000, 0, 1, 0.5, 2)
	var ss float64
	for i := range noisy.Len() {
		e := float64(noisy.Y[i]) - math.Sin(float64(noisy.X[i]))
		ss += e * e
	}
	if sd := math.Sqrt(ss / 2000); math.Abs(sd-0.5) > 0.05 {
		t.Errorf("noise standard deviation %v; want 0.5", sd)
	}
}

func TestSpiral(t *testing.T) {
	d := Spiral(301, 2, 0, 3)
	if got := d.ClassCounts(); !slices.Equal(got, []int{151, 150}) {
		t.Errorf("Spiral(301, 2) class counts %v; want [151 150]", got)
	}
	// Noiseless, every point of arm c lies on r = (angle - πc)/(3.5π)
	// (mod the turns): its radius and angle agree.
	for i := range d.Len() {
		x1, x2 := float64(d.Row(i)[0]), float64(d.Row(i)[1])
		c := d.Label(i)
		r := math.Hypot(x1, x2)
		if r >= 1 {
			t.Fatalf("sample %d at radius %v; want < 1", i, r)
		}
		want := 3.5*math.Pi*r + math.Pi*float64(c)
		got := math.Atan2(x1, x2) // the angle from the x2 axis, as sin/cos place it
		if diff := math.Remainder(got-want, 2*math.Pi); math.Abs(diff) > 1e-5 && r > 1e-6 {
			t.Errorf("sample %d of arm %d at radius %.4f: angle %.4f; want %.4f (mod 2π)", i, c, r, got, want)
		}
	}
	// With two arms of the same length, arm 1 is arm 0 turned by π: each of
	// its points mirrored through the origin is a point of arm 0.
	even := Spiral(300, 2, 0, 3)
	arm0 := map[[2]float32]bool{}
	for i := range even.Len() {
		if even.Label(i) == 0 {
			arm0[[2]float32{even.Row(i)[0], even.Row(i)[1]}] = true
		}
	}
	for i := range even.Len() {
		p := even.Row(i)
		if even.Label(i) == 1 && !arm0[[2]float32{-p[0], -p[1]}] && math.Hypot(float64(p[0]), float64(p[1])) > 1e-6 {
			// Rounding may differ in the last bit; look for a close point.
			found := false
			for q := range arm0 {
				found = found || math.Hypot(float64(q[0]+p[0]), float64(q[1]+p[1])) < 1e-6
			}
			if !found {
				t.Errorf("arm 1 point %v: its mirror %v is not on arm 0", p, []float32{-p[0], -p[1]})
			}
		}
	}
	noisy := Spiral(4000, 2, 0.05, 3)
	_, std := radii(noisy, func(int) (float64, float64) { return 0, 0 })
	for c, s := range std {
		// The radii are uniform on [0, 1): std 1/√12, a little more with noise.
		if math.Abs(s-1/math.Sqrt(12)) > 0.02 {
			t.Errorf("noisy arm %d radius std %.4f; want about %.4f", c, s, 1/math.Sqrt(12))
		}
	}
}

func TestPlaneAndGaussians(t *testing.T) {
	for _, tt := range []struct {
		name string
		gen  func(n int, noise float64, seed int64) *Dataset
		f    func(x1, x2 float64) float64
	}{
		{"plane", Plane, func(x1, x2 float64) float64 { return (x1 + x2) / 2 }},
		{"gaussians", Gaussians, gaussiansTarget},
	} {
		for _, noise := range []float64{0, 0.2} {
			d := tt.gen(4000, noise, 9)
			if d.IsClassification() || !slices.Equal(d.Targets, []string{"y"}) {
				t.Fatalf("%s: classes %q, targets %q; want regression on y", tt.name, d.Classes, d.Targets)
			}
			var ss float64
			for i := range d.Len() {
				x1, x2 := float64(d.Row(i)[0]), float64(d.Row(i)[1])
				if math.Abs(x1) > 1 || math.Abs(x2) > 1 {
					t.Fatalf("%s: point (%v, %v) outside [-1, 1]²", tt.name, x1, x2)
				}
				e := float64(d.Y[i]) - tt.f(x1, x2)
				ss += e * e
			}
			if std := math.Sqrt(ss / float64(d.Len())); math.Abs(std-noise) > 0.01 {
				t.Errorf("%s noise %v: residual std %.4f; want within 0.01", tt.name, noise, std)
			}
		}
	}
	// The bumps: +1 at (-2/3, 5/12), -1 at (0, 5/12), +1 at (0, -5/12);
	// about 0 at the origin and in the corners.
	for _, p := range [][3]float64{{-2.0 / 3, 5.0 / 12, 1}, {0, 5.0 / 12, -1}, {0, -5.0 / 12, 1}, {2.0 / 3, -5.0 / 12, -1}, {0, 0, 0}, {1, 1, 0}} {
		if got := gaussiansTarget(p[0], p[1]); math.Abs(got-p[2]) > 0.02 {
			t.Errorf("gaussians target at (%.3f, %.3f) = %.4f; want %v", p[0], p[1], got, p[2])
		}
	}
}

// Separable's classes lie on either side of one line, none of their points
// within margin/2 of it: the widest gap between the classes along the
// line's normal is at least margin.
func TestSeparable(t *testing.T) {
	for _, margin := range []float64{0, 0.1, 0.5} {
		d := Separable(400, margin, 3)
		if d.Len() != 400 || len(d.Classes) != 2 {
			t.Fatalf("margin %v: %d samples, classes %v", margin, d.Len(), d.Classes)
		}
		counts := d.ClassCounts()
		if counts[0] < 100 || counts[1] < 100 {
			t.Errorf("margin %v: class counts %v; want both sides populated", margin, counts)
		}
		// Find the separating direction: the gap along the best of many
		// directions through the origin.
		best := math.Inf(-1)
		for k := range 3600 {
			a := math.Pi * float64(k) / 3600
			lo0, hi1 := math.Inf(1), math.Inf(-1) // class 1 must lie below class 0, or the reverse
			lo1, hi0 := math.Inf(1), math.Inf(-1)
			for i := range d.Len() {
				x := d.Row(i)
				p := float64(x[0])*math.Cos(a) + float64(x[1])*math.Sin(a)
				if d.Label(i) == 1 {
					lo1, hi1 = math.Min(lo1, p), math.Max(hi1, p)
				} else {
					lo0, hi0 = math.Min(lo0, p), math.Max(hi0, p)
				}
				if float64(x[0]) < -1 || float64(x[0]) > 1 || float64(x[1]) < -1 || float64(x[1]) > 1 {
					t.Fatalf("point %v outside the square", x)
				}
			}
			best = math.Max(best, math.Max(lo1-hi0, lo0-hi1))
		}
		if best < margin-1e-3 {
			t.Errorf("margin %v: the widest gap between the classes is %v", margin, best)
		}
		if margin > 0 && best > margin+0.1 {
			t.Errorf("margin %v: gap %v; want about the margin", margin, best)
		}
	}
	a, b := Separable(50, 0.2, 7), Separable(50, 0.2, 7)
	if !slices.Equal(a.X, b.X) || !slices.Equal(a.Y, b.Y) {
		t.Error("the same seed gave different points")
	}
}
