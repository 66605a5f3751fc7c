package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// The generators below document their preconditions and panic when a caller
// breaks one, as gonum does for programmer errors. Synthetic validates its
// arguments first, so input from users never reaches such a panic.

// maxSyntheticSamples is the most samples Synthetic generates.
const maxSyntheticSamples = 10_000_000

// syntheticSets are the named sets of Synthetic with their default noise.
var syntheticSets = map[string]func(n int, seed int64) *Dataset{
	"blobs":     func(n int, seed int64) *Dataset { return Blobs(n, 3, 0.8, seed) },
	"xor":       func(n int, seed int64) *Dataset { return XOR(n, 0.1, seed) },
	"moons":     func(n int, seed int64) *Dataset { return Moons(n, 0.1, seed) },
	"circles":   func(n int, seed int64) *Dataset { return Circles(n, 0.05, 0.5, seed) },
	"spiral":    func(n int, seed int64) *Dataset { return Spiral(n, 2, 0.02, seed) },
	"plane":     func(n int, seed int64) *Dataset { return Plane(n, 0.05, seed) },
	"gaussians": func(n int, seed int64) *Dataset { return Gaussians(n, 0.05, seed) },
	"linear": func(n int, seed int64) *Dataset {
		d, _ := Linear(n, 1, 0.2, seed)
		return d
	},
}

// Synthetic returns the named synthetic set with n samples and default
// noise: "blobs" (3 classes, spread 0.8), "xor" (noise 0.1), "moons" (noise
// 0.1), "circles" (noise 0.05, factor 0.5) and "linear" (1 feature, noise
// 0.2). It returns an error for an unknown name or for n outside
// [1, 10_000_000].
func Synthetic(name string, n int, seed int64) (*Dataset, error) {
	gen, ok := syntheticSets[name]
	if !ok {
		return nil, fmt.Errorf("unknown synthetic data set %q; want one of %s", name, strings.Join(SyntheticNames(), ", "))
	}
	if n < 1 || n > maxSyntheticSamples {
		return nil, fmt.Errorf("synthetic data set %q: %d samples; want 1 to %d", name, n, maxSyntheticSamples)
	}
	return gen(n, seed), nil
}

// SyntheticNames returns the names Synthetic accepts, sorted.
func SyntheticNames() []string {
	names := make([]string, 0, len(syntheticSets))
	for name := range syntheticSets {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Blobs returns n points in classes isotropic Gaussian blobs of standard
// deviation spread, shuffled. The blob centres lie evenly spaced on the
// circle of radius 3 around the origin, the first at (3, 0); two blobs face
// each other. The classes get n/classes points each, the first n%classes
// one more. Blobs panics unless n >= 1, classes >= 2 and spread >= 0.
func Blobs(n, classes int, spread float64, seed int64) *Dataset {
	mustHold(n >= 1, "Blobs: n = %d; want n >= 1", n)
	mustHold(classes >= 2, "Blobs: classes = %d; want classes >= 2", classes)
	mustHold(validNoise(spread), "Blobs: spread = %v; want a finite spread >= 0", spread)
	r := newRand(seed)
	d := newPlane("blobs", n, classes)
	for i := range n {
		c := i % classes
		a := 2 * math.Pi * float64(c) / float64(classes)
		d.setPoint(i, 3*math.Cos(a)+spread*r.NormFloat64(), 3*math.Sin(a)+spread*r.NormFloat64(), c)
	}
	d.shufflePoints(r)
	return d
}

// XOR returns n points at the corners (0,0), (0,1), (1,0), (1,1) with
// classes 0, 1, 1, 0, cycling through the corners in that order, so that
// XOR(4, 0, seed) is exactly the truth table. Gaussian noise of standard
// deviation noise is added to the coordinates. XOR panics unless n >= 1 and
// noise >= 0.
func XOR(n int, noise float64, seed int64) *Dataset {
	mustHold(n >= 1, "XOR: n = %d; want n >= 1", n)
	mustHold(validNoise(noise), "XOR: noise = %v; want a finite noise >= 0", noise)
	r := newRand(seed)
	d := newPlane("xor", n, 2)
	for i := range n {
		a, b := (i>>1)&1, i&1
		d.setPoint(i, float64(a)+noise*r.NormFloat64(), float64(b)+noise*r.NormFloat64(), a^b)
	}
	return d
}

// Moons returns two interleaving half circles, shuffled, as scikit-learn's
// make_moons: n/2 points of class 0 evenly spaced on the upper half of the
// unit circle, the other n - n/2 of class 1 on the lower half of the unit
// circle centred at (1, 0.5), with Gaussian noise of standard deviation
// noise added to the coordinates. Moons panics unless n >= 1 and noise >= 0.
func Moons(n int, noise float64, seed int64) *Dataset {
	mustHold(n >= 1, "Moons: n = %d; want n >= 1", n)
	mustHold(validNoise(noise), "Moons: noise = %v; want a finite noise >= 0", noise)
	r := newRand(seed)
	d := newPlane("moons", n, 2)
	outer := n / 2
	for i := range outer {
		a := linspace(math.Pi, i, outer, true)
		d.setPoint(i, math.Cos(a)+noise*r.NormFloat64(), math.Sin(a)+noise*r.NormFloat64(), 0)
	}
	for i := range n - outer {
		a := linspace(math.Pi, i, n-outer, true)
		d.setPoint(outer+i, 1-math.Cos(a)+noise*r.NormFloat64(), 0.5-math.Sin(a)+noise*r.NormFloat64(), 1)
	}
	d.shufflePoints(r)
	return d
}

// Separable returns n points drawn uniformly from the square [-1, 1]²,
// shuffled, of class 1 on one side of a line through the origin and class
// 0 on the other, with no point closer to the line than margin/2: two
// classes a straight line separates with a gap of width margin between
// them. The line's direction is drawn with seed too. The smaller the gap,
// the more mistakes the perceptron makes before it separates them: at most
// (R/γ)² by the perceptron convergence theorem, R the largest distance of a
// point from the origin and γ = margin/2. Separable panics unless n >= 1
// and 0 <= margin < 1.
func Separable(n int, margin float64, seed int64) *Dataset {
	mustHold(n >= 1, "Separable: n = %d; want n >= 1", n)
	mustHold(margin >= 0 && margin < 1, "Separable: margin = %v; want 0 <= margin < 1", margin)
	r := newRand(seed)
	a := math.Pi * r.Float64()
	nx, ny := math.Cos(a), math.Sin(a) // the line's unit normal
	d := newPlane("separable", n, 2)
	for i := 0; i < n; {
		x1, x2 := 2*r.Float64()-1, 2*r.Float64()-1
		dist := x1*nx + x2*ny
		if math.Abs(dist) < margin/2 {
			continue
		}
		c := 0
		if dist > 0 {
			c = 1
		}
		d.setPoint(i, x1, x2, c)
		i++
	}
	d.shufflePoints(r)
	return d
}

// Circles returns two concentric circles around the origin, shuffled, as
// scikit-learn's make_circles: n/2 points of class 0 evenly spaced on the
// unit circle, the other n - n/2 of class 1 on the circle of radius factor,
// with Gaussian noise of standard deviation noise added to the coordinates.
// Circles panics unless n >= 1, noise >= 0 and 0 < factor < 1.
func Circles(n int, noise, factor float64, seed int64) *Dataset {
	mustHold(n >= 1, "Circles: n = %d; want n >= 1", n)
	mustHold(validNoise(noise), "Circles: noise = %v; want a finite noise >= 0", noise)
	mustHold(factor > 0 && factor < 1, "Circles: factor = %v; want 0 < factor < 1", factor)
	r := newRand(seed)
	d := newPlane("circles", n, 2)
	outer := n / 2
	for i := range outer {
		a := linspace(2*math.Pi, i, outer, false)
		d.setPoint(i, math.Cos(a)+noise*r.NormFloat64(), math.Sin(a)+noise*r.NormFloat64(), 0)
	}
	for i := range n - outer {
		a := linspace(2*math.Pi, i, n-outer, false)
		d.setPoint(outer+i, factor*math.Cos(a)+noise*r.NormFloat64(), factor*math.Sin(a)+noise*r.NormFloat64(), 1)
	}
	d.shufflePoints(r)
	return d
}

// Linear returns a regression set of n samples with features x1, x2, ...
// drawn uniformly from [-1, 1] and the target y = w·x + b plus Gaussian
// noise of standard deviation noise, together with the true coefficients
// [w..., b]. Each w and b is drawn uniformly from [-2, 2]. Linear panics
// unless n >= 1, features >= 1 and noise >= 0.
func Linear(n, features int, noise float64, seed int64) (*Dataset, []float64) {
	mustHold(n >= 1, "Linear: n = %d; want n >= 1", n)
	mustHold(features >= 1, "Linear: features = %d; want features >= 1", features)
	mustHold(validNoise(noise), "Linear: noise = %v; want a finite noise >= 0", noise)
	r := newRand(seed)
	coef := make([]float64, features+1)
	for j := range coef {
		coef[j] = 4*r.Float64() - 2
	}
	d := &Dataset{
		Name:     "linear",
		X:        make([]float32, n*features),
		Shape:    []int{features},
		Y:        make([]float32, n),
		Features: make([]string, features),
		Targets:  []string{"y"},
	}
	for j := range d.Features {
		d.Features[j] = "x" + strconv.Itoa(j+1)
	}
	for i := range n {
		row, y := d.Row(i), coef[features]
		for j := range row {
			row[j] = float32(2*r.Float64() - 1)
			y += coef[j] * float64(row[j])
		}
		d.Y[i] = float32(y + noise*r.NormFloat64())
	}
	return d, coef
}

// Spiral returns n points on classes interleaved spiral arms around the
// origin, shuffled, as in the TensorFlow Playground: arm c gets n/classes
// points (the first n%classes arms one more), and point i of the m on an
// arm lies at radius r = i/m and angle 3.5π·r + 2πc/classes, at
// (r·sin(angle), r·cos(angle)): 1.75 turns from the centre to radius 1.
// Gaussian noise of standard deviation noise is added to the coordinates.
// Spiral panics unless n >= 1, classes >= 2 and noise >= 0.
func Spiral(n, classes int, noise float64, seed int64) *Dataset {
	mustHold(n >= 1, "Spiral: n = %d; want n >= 1", n)
	mustHold(classes >= 2, "Spiral: classes = %d; want classes >= 2", classes)
	mustHold(validNoise(noise), "Spiral: noise = %v; want a finite noise >= 0", noise)
	r := newRand(seed)
	d := newPlane("spiral", n, classes)
	i := 0
	for c := range classes {
		m := n / classes
		if c < n%classes {
			m++
		}
		for k := range m {
			rad := float64(k) / float64(m)
			a := 3.5*math.Pi*rad + 2*math.Pi*float64(c)/float64(classes)
			d.setPoint(i, rad*math.Sin(a)+noise*r.NormFloat64(), rad*math.Cos(a)+noise*r.NormFloat64(), c)
			i++
		}
	}
	d.shufflePoints(r)
	return d
}

// Plane returns a regression set of n points (x1, x2) drawn uniformly from
// [-1, 1]² with the target y = (x1 + x2)/2, in [-1, 1], plus Gaussian
// noise of standard deviation noise: the TensorFlow Playground's
// "plane". Plane panics unless n >= 1 and noise >= 0.
func Plane(n int, noise float64, seed int64) *Dataset {
	mustHold(n >= 1, "Plane: n = %d; want n >= 1", n)
	mustHold(validNoise(noise), "Plane: noise = %v; want a finite noise >= 0", noise)
	return planeRegression("plane", n, noise, seed, func(x1, x2 float64) float64 { return (x1 + x2) / 2 })
}

// gaussianCentres are the centres of Gaussians' six bumps, with the sign
// of each: a row of three above the x1 axis and one below, alternating.
var gaussianCentres = [6][3]float64{
	{-2.0 / 3, 5.0 / 12, 1}, {0, 5.0 / 12, -1}, {2.0 / 3, 5.0 / 12, 1},
	{-2.0 / 3, -5.0 / 12, -1}, {0, -5.0 / 12, 1}, {2.0 / 3, -5.0 / 12, -1},
}

// gaussianWidth is the standard deviation of Gaussians' bumps.
const gaussianWidth = 0.2

// Gaussians returns a regression set of n points (x1, x2) drawn uniformly
// from [-1, 1]² whose target is a sum of six Gaussian bumps of standard
// deviation 0.2, y = Σ s·exp(-‖x - c‖²/(2·0.2²)), in about [-1, 1], plus
// Gaussian noise of standard deviation noise: the TensorFlow Playground's
// "Gaussian" regression set. The bumps sit in two rows of three, at
// x1 = -2/3, 0, 2/3 and x2 = ±5/12, with heights s = ±1 alternating like a
// chequerboard, +1 at (-2/3, 5/12). Gaussians panics unless n >= 1 and
// noise >= 0.
func Gaussians(n int, noise float64, seed int64) *Dataset {
	mustHold(n >= 1, "Gaussians: n = %d; want n >= 1", n)
	mustHold(validNoise(noise), "Gaussians: noise = %v; want a finite noise >= 0", noise)
	return planeRegression("gaussians", n, noise, seed, gaussiansTarget)
}

// gaussiansTarget is the noiseless target of Gaussians at (x1, x2).
func gaussiansTarget(x1, x2 float64) float64 {
	var y float64
	for _, c := range gaussianCentres {
		d1, d2 := x1-c[0], x2-c[1]
		y += c[2] * math.Exp(-(d1*d1+d2*d2)/(2*gaussianWidth*gaussianWidth))
	}
	return y
}

// planeRegression returns n samples of f at points drawn uniformly from
// [-1, 1]², with Gaussian noise on the target.
func planeRegression(name string, n int, noise float64, seed int64, f func(x1, x2 float64) float64) *Dataset {
	r := newRand(seed)
	d := &Dataset{Name: name, X: make([]float32, 2*n), Shape: []int{2}, Y: make([]float32, n),
		Features: []string{"x1", "x2"}, Targets: []string{"y"}}
	for i := range n {
		x1, x2 := 2*r.Float64()-1, 2*r.Float64()-1
		d.X[2*i], d.X[2*i+1] = float32(x1), float32(x2)
		d.Y[i] = float32(f(x1, x2) + noise*r.NormFloat64())
	}
	return d
}

// mustHold panics with a message about a broken precondition unless ok.
func mustHold(ok bool, format string, args ...any) {
	if !ok {
		panic(fmt.Sprintf("datasets: "+format, args...))
	}
}

// validNoise reports whether v can be a standard deviation.
func validNoise(v float64) bool { return v >= 0 && v <= math.MaxFloat64 }

// linspace returns the i-th of m evenly spaced values from 0 to end,
// including end if endpoint is set, like numpy's linspace.
func linspace(end float64, i, m int, endpoint bool) float64 {
	if endpoint {
		m--
	}
	if m == 0 {
		return 0
	}
	return end * float64(i) / float64(m)
}

// newPlane returns a classification set of n points in the plane with
// features "x1", "x2" and classes "0", "1", ...
func newPlane(name string, n, classes int) *Dataset {
	d := &Dataset{
		Name:     name,
		X:        make([]float32, 2*n),
		Shape:    []int{2},
		Y:        make([]float32, n),
		Features: []string{"x1", "x2"},
		Targets:  []string{"class"},
		Classes:  make([]string, classes),
	}
	for c := range d.Classes {
		d.Classes[c] = strconv.Itoa(c)
	}
	return d
}

// setPoint sets sample i of a plane set.
func (d *Dataset) setPoint(i int, x1, x2 float64, class int) {
	d.X[2*i], d.X[2*i+1], d.Y[i] = float32(x1), float32(x2), float32(class)
}

// shufflePoints puts the samples of a plane set in random order.
func (d *Dataset) shufflePoints(r *rand.Rand) {
	r.Shuffle(d.Len(), func(i, j int) {
		d.X[2*i], d.X[2*j] = d.X[2*j], d.X[2*i]
		d.X[2*i+1], d.X[2*j+1] = d.X[2*j+1], d.X[2*i+1]
		d.Y[i], d.Y[j] = d.Y[j], d.Y[i]
	})
}

// Function returns n samples of y = f(x) + N(0, noise²) with x evenly
// spaced over [lo, hi], a 1-D regression set for fitting curves (features
// "x", target "y"). It panics unless n >= 2 and lo < hi.
func Function(f func(float64) float64, n int, lo, hi, noise float64, seed int64) *Dataset {
	mustHold(n >= 2, "Function: n = %d; want n >= 2", n)
	mustHold(lo < hi, "Function: range [%v, %v] is empty", lo, hi)
	mustHold(validNoise(noise), "Function: noise = %v; want a finite noise >= 0", noise)
	r := newRand(seed)
	d := &Dataset{Name: "function", X: make([]float32, n), Shape: []int{1}, Y: make([]float32, n),
		Features: []string{"x"}, Targets: []string{"y"}}
	for i := range n {
		x := lo + (hi-lo)*float64(i)/float64(n-1)
		d.X[i], d.Y[i] = float32(x), float32(f(x)+noise*r.NormFloat64())
	}
	return d
}
