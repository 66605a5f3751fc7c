package playground

import (
	"fmt"
	"math"
	"slices"

	"github.com/dlgo/dlgo/datasets"
)

// The plane the page shows is the square [-View, View]²: every data set is
// scaled into it, as in the TensorFlow Playground, so that the features
// x1², sin x1, ... have room to bend.
const View = 6

// dataset is one of the page's data sets: a generator from the datasets
// package, in its own units, and the affine map (x - centre)·scale that
// puts it into the plane.
type dataset struct {
	name, label      string
	regression       bool
	gen              func(n int, noise float64, seed int64) *datasets.Dataset
	centre1, centre2 float64
	scale            float64
}

// datasetList is every data set, in the order the page lists them.
var datasetList = []dataset{
	{name: "circles", label: "Circles", scale: 5,
		gen: func(n int, noise float64, seed int64) *datasets.Dataset { return datasets.Circles(n, noise, 0.5, seed) }},
	{name: "xor", label: "Exclusive or", centre1: 0.5, centre2: 0.5, scale: 8, gen: datasets.XOR},
	{name: "blobs", label: "Gaussian blobs", scale: 1,
		gen: func(n int, noise float64, seed int64) *datasets.Dataset {
			return datasets.Blobs(n, 2, 0.3+5*noise, seed)
		}},
	{name: "spiral", label: "Spiral", scale: 5.5,
		gen: func(n int, noise float64, seed int64) *datasets.Dataset { return datasets.Spiral(n, 2, noise, seed) }},
	{name: "moons", label: "Two moons", centre1: 0.5, centre2: 0.25, scale: 4, gen: datasets.Moons},
	{name: "plane", label: "Regression: plane", regression: true, scale: View, gen: datasets.Plane},
	{name: "gaussians", label: "Regression: Gaussians", regression: true, scale: View, gen: datasets.Gaussians},
}

func datasetByName(name string) (dataset, bool) {
	i := slices.IndexFunc(datasetList, func(d dataset) bool { return d.name == name })
	if i < 0 {
		return dataset{}, false
	}
	return datasetList[i], true
}

// DatasetNames returns the data sets' names in the page's order.
func DatasetNames() []string {
	out := make([]string, len(datasetList))
	for i, d := range datasetList {
		out[i] = d.name
	}
	return out
}

// feature is one input the network can see, a function of the point.
type feature struct {
	name, label string
	f           func(x1, x2 float64) float64
}

// featureList is every feature, in the page's order. The names are the
// columns of the exported CSV files and of the exported model's inputs.
var featureList = []feature{
	{"x1", "x₁", func(x1, _ float64) float64 { return x1 }},
	{"x2", "x₂", func(_, x2 float64) float64 { return x2 }},
	{"x1_sq", "x₁²", func(x1, _ float64) float64 { return x1 * x1 }},
	{"x2_sq", "x₂²", func(_, x2 float64) float64 { return x2 * x2 }},
	{"x1_x2", "x₁x₂", func(x1, x2 float64) float64 { return x1 * x2 }},
	{"sin_x1", "sin x₁", func(x1, _ float64) float64 { return math.Sin(x1) }},
	{"sin_x2", "sin x₂", func(_, x2 float64) float64 { return math.Sin(x2) }},
}

func featureByName(name string) (feature, bool) {
	i := slices.IndexFunc(featureList, func(f feature) bool { return f.name == name })
	if i < 0 {
		return feature{}, false
	}
	return featureList[i], true
}

// FeatureNames returns the features' names in the page's order.
func FeatureNames() []string {
	out := make([]string, len(featureList))
	for i, f := range featureList {
		out[i] = f.name
	}
	return out
}

// Point is one point of the plane with its label: the class (0 or 1) of a
// classification set, the target of a regression set.
type Point struct {
	X1    float32 `json:"x1"`
	X2    float32 `json:"x2"`
	Label float32 `json:"label"`
}

// data is a session's data: the points in the plane, and the same as the
// network's inputs (one column per feature).
type data struct {
	regression        bool
	variance          float64 // of the training targets, for regression
	trainPts, testPts []Point
	train, test       *datasets.Dataset
}

// makeData generates c's points, scales them into the plane, splits them
// (the test points are a random 1 - TrainRatio of them) and computes the
// features.
func makeData(c Config) (*data, error) {
	ds, ok := datasetByName(c.Dataset)
	if !ok {
		return nil, fmt.Errorf("playground: unknown data set %q", c.Dataset)
	}
	all := ds.gen(c.Points, c.Noise, c.Seed)
	for i := range all.Len() {
		row := all.Row(i)
		row[0] = float32((float64(row[0]) - ds.centre1) * ds.scale)
		row[1] = float32((float64(row[1]) - ds.centre2) * ds.scale)
	}
	train, test, err := all.Split(1-c.TrainRatio, c.Seed, false)
	if err != nil {
		return nil, fmt.Errorf("playground: splitting the points: %w", err)
	}
	d := &data{regression: ds.regression, trainPts: points(train), testPts: points(test)}
	d.train, d.test = withFeatures(train, c.Features), withFeatures(test, c.Features)
	if d.regression {
		var sum, sq float64
		for _, y := range train.Y {
			sum += float64(y)
			sq += float64(y) * float64(y)
		}
		n := float64(len(train.Y))
		d.variance = sq/n - (sum/n)*(sum/n)
	}
	return d, nil
}

// points returns the points of a 2-D set.
func points(d *datasets.Dataset) []Point {
	out := make([]Point, d.Len())
	for i := range out {
		out[i] = Point{X1: d.X[2*i], X2: d.X[2*i+1], Label: d.Y[i]}
	}
	return out
}

// withFeatures returns the set with the named features of each point as
// its inputs.
func withFeatures(d *datasets.Dataset, names []string) *datasets.Dataset {
	out := &datasets.Dataset{Name: d.Name, Shape: []int{len(names)}, Features: slices.Clone(names),
		Y: slices.Clone(d.Y), Targets: slices.Clone(d.Targets), Classes: slices.Clone(d.Classes),
		X: featurize(d.X, names)}
	return out
}

// featurize computes the named features of the points xy (x1, x2 pairs),
// row-major.
func featurize(xy []float32, names []string) []float32 {
	fs := make([]feature, len(names))
	for j, name := range names {
		fs[j], _ = featureByName(name)
	}
	n := len(xy) / 2
	out := make([]float32, n*len(fs))
	for i := range n {
		x1, x2 := float64(xy[2*i]), float64(xy[2*i+1])
		for j, f := range fs {
			out[i*len(fs)+j] = float32(f.f(x1, x2))
		}
	}
	return out
}

// GridSize is the number of cells along each side of the output's heat
// map; neurons' heat maps have half as many (NeuronGridSize).
const (
	GridSize       = 50
	NeuronGridSize = GridSize / 2
)

// gridPoints returns the centres of the heat map's cells as x1, x2 pairs,
// row by row from the top (x2 = View) down, each row from x1 = -View
// rightwards: the order of an image's pixels.
func gridPoints() []float32 {
	out := make([]float32, 0, 2*GridSize*GridSize)
	step := 2.0 * View / GridSize
	for r := range GridSize {
		x2 := View - (float64(r)+0.5)*step
		for c := range GridSize {
			x1 := -View + (float64(c)+0.5)*step
			out = append(out, float32(x1), float32(x2))
		}
	}
	return out
}
