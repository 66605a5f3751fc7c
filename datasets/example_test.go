package datasets_test

import (
	"fmt"
	"strings"

	"github.com/dlgo/dlgo/datasets"
)

func ExampleReadCSV() {
	const data = `sepal_length,sepal_width,species
5.1,3.5,setosa
7.0,3.2,versicolor
6.3,3.3,virginica
4.9,3.0,setosa
`
	d, err := datasets.ReadCSV(strings.NewReader(data), "iris.csv", datasets.CSVOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("samples:", d.Len(), "shape:", d.Shape)
	fmt.Println("features:", d.Features, "target:", d.Targets)
	fmt.Println("classes:", d.Classes, "labels:", d.Y)
	// Output:
	// samples: 4 shape: [2]
	// features: [sepal_length sepal_width] target: [species]
	// classes: [setosa versicolor virginica] labels: [0 1 2 0]
}

func ExampleReadCSV_error() {
	const data = "a,b,petal_width,species\n1,2,0.2,setosa\n1,2,abc,setosa\n"
	_, err := datasets.ReadCSV(strings.NewReader(data), "iris.csv", datasets.CSVOptions{})
	fmt.Println(err)
	// Output:
	// iris.csv:3: column 3 ("petal_width"): "abc" is not a number
}

func ExampleXOR() {
	d := datasets.XOR(4, 0, 1)
	for i := range d.Len() {
		fmt.Println(d.Row(i), "->", d.Classes[d.Label(i)])
	}
	// Output:
	// [0 0] -> 0
	// [0 1] -> 1
	// [1 0] -> 1
	// [1 1] -> 0
}

func ExampleDataset_Split() {
	d := datasets.Blobs(100, 2, 0.5, 1)
	train, test, err := d.Split(0.2, 42, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("train:", train.Len(), train.ClassCounts())
	fmt.Println("test:", test.Len(), test.ClassCounts())
	// Output:
	// train: 80 [40 40]
	// test: 20 [10 10]
}

func ExampleFitStandardizer() {
	const data = "age,income,bought\n20,30000,0\n40,50000,1\n60,70000,1\n"
	d, err := datasets.ReadCSV(strings.NewReader(data), "shop.csv", datasets.CSVOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := datasets.FitStandardizer(d)
	if err != nil {
		fmt.Println(err)
		return
	}
	std, err := s.Transform(d)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mean %v std %.4g\n", s.Mean, s.Std)
	fmt.Printf("%.4f\n", std.X)
	// Output:
	// mean [40 50000] std [16.33 1.633e+04]
	// [-1.2247 -1.2247 0.0000 0.0000 1.2247 1.2247]
}

func ExampleDataset_Batches() {
	d := datasets.XOR(10, 0, 1)
	for b := range d.Batches(4, nil) {
		fmt.Println(b.Index, b.Y)
	}
	// Output:
	// [0 1 2 3] [0 1 1 0]
	// [4 5 6 7] [0 1 1 0]
	// [8 9] [0 1]
}

func ExampleSynthetic() {
	d, err := datasets.Synthetic("moons", 200, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Name, d.Len(), d.Features, d.ClassCounts())
	_, err = datasets.Synthetic("spirals", 200, 1)
	fmt.Println(err)
	// Output:
	// moons 200 [x1 x2] [100 100]
	// unknown synthetic data set "spirals"; want one of blobs, circles, gaussians, linear, moons, plane, spiral, xor
}
