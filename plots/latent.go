package plots

import (
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The figures of autoencoders: inputs above their reconstructions, the
// latent codes of a data set coloured by class, and the images a decoder
// makes of a grid over a 2-D latent plane (Keras' VAE "manifold").

// Reconstructions returns images above their reconstructions: blocks of
// two rows, cols images (0: all of them, up to 10) in the first and their
// reconstructions below them, titles[i] (may be nil; an empty title is
// left out) above original i. Values are drawn as ImageGrid draws them,
// 0 black and 1 white.
func Reconstructions(originals, reconstructions [][]float32, height, width, cols int, titles []string) (*plot.Plot, error) {
	return reconstructionGrid(&tileGrid{}, originals, reconstructions, height, width, cols, titles)
}

func reconstructionGrid(g *tileGrid, originals, reconstructions [][]float32, height, width, cols int, titles []string) (*plot.Plot, error) {
	n := len(originals)
	switch {
	case n == 0:
		return nil, errors.New("plots: reconstructions: no images")
	case len(reconstructions) != n:
		return nil, fmt.Errorf("plots: reconstructions: %d reconstructions of %d images", len(reconstructions), n)
	case 2*n > maxGridImages:
		return nil, fmt.Errorf("plots: reconstructions: %d images; want at most %d", n, maxGridImages/2)
	case titles != nil && len(titles) != n:
		return nil, fmt.Errorf("plots: reconstructions: %d titles for %d images", len(titles), n)
	case cols < 0:
		return nil, fmt.Errorf("plots: reconstructions: %d columns", cols)
	}
	if cols == 0 {
		cols = min(n, 10)
	}
	var images [][]float32
	var names []string
	for start := 0; start < n; start += cols {
		end := min(start+cols, n)
		for row := range 2 {
			for i := start; i < start+cols; i++ {
				switch {
				case i >= end:
					// Pad a short last block, so that its reconstructions
					// stay below their originals.
					images = append(images, nil)
					names = append(names, "")
				case row == 0:
					images = append(images, originals[i])
					names = append(names, titleOf(titles, i))
				default:
					images = append(images, reconstructions[i])
					names = append(names, "")
				}
			}
		}
	}
	blank := make([]float32, height*width)
	for i := range blank {
		blank[i] = float32(math.NaN())
	}
	var empty []int
	for i, v := range images {
		if v == nil {
			images[i] = blank
			empty = append(empty, i)
		}
	}
	p, err := imageGrid(g, images, height, width, cols, names, false)
	if err != nil {
		return nil, fmt.Errorf("plots: reconstructions: %w", err)
	}
	for _, i := range empty {
		g.tiles[i].hidden = true
	}
	return p, nil
}

func titleOf(titles []string, i int) string {
	if titles == nil {
		return ""
	}
	return titles[i]
}

// maxLatentPoints is the most codes Latent draws.
const maxLatentPoints = 100_000

// Latent returns the latent codes of samples (dim values each, row-major)
// as points coloured by labels[i], the index of sample i's class in
// classes, with the class names in the legend (labels may be nil: one
// colour, no legend). Codes of two values are drawn as they are, on axes
// z[0] and z[1]; codes of more are projected on their first two principal
// components, fitted on up to 5,000 of them, on axes "PC 1" and "PC 2"; a
// code of one value is drawn along a line. Codes with a NaN or infinite
// value are skipped.
func Latent(codes []float32, dim int, labels []int, classes []string) (*plot.Plot, error) {
	if dim < 1 || len(codes) == 0 || len(codes)%dim != 0 {
		return nil, fmt.Errorf("plots: latent: %d values is not a whole number of codes of %d values", len(codes), dim)
	}
	n := len(codes) / dim
	if n > maxLatentPoints {
		return nil, fmt.Errorf("plots: latent: %d codes; want at most %d", n, maxLatentPoints)
	}
	if labels != nil && len(labels) != n {
		return nil, fmt.Errorf("plots: latent: %d labels for %d codes", len(labels), n)
	}
	xy, xLabel, yLabel := latentPlane(codes, dim)
	groups := 1
	if labels != nil {
		groups = len(classes)
	}
	byClass := make([]plotter.XYs, groups)
	for i := range n {
		k := 0
		if labels != nil {
			k = labels[i]
			if k < 0 || k >= len(classes) {
				return nil, fmt.Errorf("plots: latent: code %d has label %d; want a class index in [0, %d)", i, k, len(classes))
			}
		}
		if pt := xy[i]; finite(pt.X) && finite(pt.Y) {
			byClass[k] = append(byClass[k], pt)
		}
	}
	p := newPlot("latent space", xLabel, yLabel)
	addGrid(p)
	radius := vg.Points(2)
	if n > 2000 {
		radius = vg.Points(1.2)
	}
	for k, pts := range byClass {
		sc := &plotter.Scatter{XYs: pts, GlyphStyle: draw.GlyphStyle{Color: colorOf(k), Radius: radius, Shape: draw.CircleGlyph{}}}
		if len(pts) > 0 {
			p.Add(sc)
		}
		if labels != nil {
			legend := &plotter.Scatter{GlyphStyle: pointStyle(k)}
			p.Legend.Add(classes[k], legend)
		}
	}
	if labels != nil {
		placeLegend(p)
	}
	return p, nil
}

// latentPlane returns each code's point in the plane with the axes'
// labels: the code itself for 2 values, its first two principal
// components for more, and the code against 0 for one.
func latentPlane(codes []float32, dim int) ([]plotter.XY, string, string) {
	n := len(codes) / dim
	xy := make([]plotter.XY, n)
	switch dim {
	case 1:
		for i := range n {
			xy[i] = plotter.XY{X: float64(codes[i])}
		}
		return xy, "z[0]", ""
	case 2:
		for i := range n {
			xy[i] = plotter.XY{X: float64(codes[2*i]), Y: float64(codes[2*i+1])}
		}
		return xy, "z[0]", "z[1]"
	}
	mean, pcs := principalComponents(codes, dim, 5000)
	for i := range n {
		row := codes[i*dim : (i+1)*dim]
		var a, b float64
		for j, v := range row {
			c := float64(v) - mean[j]
			a += c * pcs[0][j]
			b += c * pcs[1][j]
		}
		xy[i] = plotter.XY{X: a, Y: b}
	}
	return xy, "PC 1", "PC 2"
}

// principalComponents returns the mean of the rows of x (dim values each)
// and the first two principal directions (unit vectors), fitted on up to
// limit rows spread over x, by subspace iteration on the covariance
// (Xᵀ·X·V, orthonormalised) from a seeded start: deterministic, and
// without forming the dim×dim covariance. Each direction's sign makes its
// largest component positive. Non-finite values count as 0.
func principalComponents(x []float32, dim, limit int) ([]float64, [2][]float64) {
	n := len(x) / dim
	step := max(1, n/limit)
	var rows [][]float64
	for i := 0; i < n && len(rows) < limit; i += step {
		r := make([]float64, dim)
		for j, v := range x[i*dim : (i+1)*dim] {
			if f := float64(v); finite(f) {
				r[j] = f
			}
		}
		rows = append(rows, r)
	}
	mean := make([]float64, dim)
	for _, r := range rows {
		for j, v := range r {
			mean[j] += v / float64(len(rows))
		}
	}
	for _, r := range rows {
		for j := range r {
			r[j] -= mean[j]
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var v [2][]float64
	for k := range v {
		v[k] = make([]float64, dim)
		for j := range v[k] {
			v[k][j] = rng.NormFloat64()
		}
	}
	orthonormalise(&v)
	for range 300 {
		var w [2][]float64
		for k := range w {
			w[k] = make([]float64, dim)
		}
		for _, r := range rows {
			for k := range 2 {
				var s float64
				for j, c := range r {
					s += c * v[k][j]
				}
				for j, c := range r {
					w[k][j] += s * c
				}
			}
		}
		orthonormalise(&w)
		change := 0.0
		for k := range 2 {
			var dot float64
			for j := range w[k] {
				dot += w[k][j] * v[k][j]
			}
			change = math.Max(change, 1-math.Abs(dot))
		}
		v = w
		if change < 1e-12 {
			break
		}
	}
	// The two directions span the top eigenspace; rotate them into the
	// eigenvectors of the covariance within it.
	var c [2][2]float64
	for _, r := range rows {
		var p [2]float64
		for k := range 2 {
			for j, x := range r {
				p[k] += x * v[k][j]
			}
		}
		for a := range 2 {
			for b := range 2 {
				c[a][b] += p[a] * p[b]
			}
		}
	}
	theta := 0.5 * math.Atan2(2*c[0][1], c[0][0]-c[1][1])
	cos, sin := math.Cos(theta), math.Sin(theta)
	var pcs [2][]float64
	pcs[0], pcs[1] = make([]float64, dim), make([]float64, dim)
	for j := range dim {
		pcs[0][j] = cos*v[0][j] + sin*v[1][j]
		pcs[1][j] = -sin*v[0][j] + cos*v[1][j]
	}
	for k := range 2 {
		big := 0
		for j := range pcs[k] {
			if math.Abs(pcs[k][j]) > math.Abs(pcs[k][big]) {
				big = j
			}
		}
		if pcs[k][big] < 0 {
			for j := range pcs[k] {
				pcs[k][j] = -pcs[k][j]
			}
		}
	}
	return mean, pcs
}

// orthonormalise makes two vectors orthonormal (Gram-Schmidt); a vector
// that vanishes is replaced by a unit vector.
func orthonormalise(v *[2][]float64) {
	norm := func(x []float64) {
		var s float64
		for _, a := range x {
			s += a * a
		}
		s = math.Sqrt(s)
		if s == 0 {
			x[0], s = 1, 1
		}
		for j := range x {
			x[j] /= s
		}
	}
	norm(v[0])
	var dot float64
	for j := range v[1] {
		dot += v[0][j] * v[1][j]
	}
	for j := range v[1] {
		v[1][j] -= dot * v[0][j]
	}
	norm(v[1])
}

// Decoder turns latent codes (row-major) into samples. *models.Model
// implements it (Decode).
type Decoder interface {
	Decode(z []float32) ([]float32, error)
}

// maxManifold is the largest grid Manifold draws.
const maxManifold = 64

// Manifold returns the images of height×width values a decoder makes of
// the points of an n×n grid over a 2-D latent plane, each coordinate from
// -span to span, placed at their coordinates on axes z[0] (across) and
// z[1] (up): Keras' figure of a variational autoencoder's latent space,
// with n 30 and span 1 (the prior's mass lies within ±2 or so). The
// decoder is called once, on the n² codes, row by row from the top.
func Manifold(d Decoder, n int, span float64, height, width int) (*plot.Plot, error) {
	switch {
	case d == nil:
		return nil, errors.New("plots: manifold: no decoder")
	case n < 2 || n > maxManifold:
		return nil, fmt.Errorf("plots: manifold: a grid of %d×%d; want 2 to %d points a side", n, n, maxManifold)
	case !(span > 0) || math.IsInf(span, 0):
		return nil, fmt.Errorf("plots: manifold: span %v; want a positive number", span)
	case height <= 0 || width <= 0 || n*height > 4096 || n*width > 4096:
		return nil, fmt.Errorf("plots: manifold: images of %d×%d; want positive sizes, at most %d pixels across the grid", height, width, 4096)
	}
	step := 2 * span / float64(n-1)
	z := make([]float32, 0, 2*n*n)
	for r := range n {
		for c := range n {
			z = append(z, float32(-span+float64(c)*step), float32(span-float64(r)*step))
		}
	}
	out, err := d.Decode(z)
	if err != nil {
		return nil, fmt.Errorf("plots: manifold: decoding: %w", err)
	}
	if len(out) != n*n*height*width {
		return nil, fmt.Errorf("plots: manifold: the decoder made %d values of %d codes; want %d×%d each", len(out), n*n, height, width)
	}
	img := image.NewGray(image.Rect(0, 0, n*width, n*height))
	for k := range n * n {
		tile := grayImage(out[k*height*width:(k+1)*height*width], height, width, false)
		r, c := k/n, k%n
		for y := range height {
			copy(img.Pix[(r*height+y)*img.Stride+c*width:], tile.Pix[y*tile.Stride:y*tile.Stride+width])
		}
	}
	half := step / 2
	p := newPlot("decoded latent space", "z[0]", "z[1]")
	p.Add(plotter.NewImage(upscale(img, 1200), -span-half, -span-half, span+half, span+half))
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -span-half, span+half, -span-half, span+half
	return p, nil
}
