package datasets_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"

	"github.com/dlgo/dlgo/datasets"
)

// ExampleReadIDX decodes a tiny IDX file held in memory: two 2×3 images.
func ExampleReadIDX() {
	file := []byte{
		0, 0, 0x08, 3, // magic: unsigned bytes, 3 dimensions
		0, 0, 0, 2, // 2 images
		0, 0, 0, 2, // of 2 rows
		0, 0, 0, 3, // of 3 columns
		0, 1, 2, 3, 4, 5,
		6, 7, 8, 9, 10, 11,
	}
	dims, data, err := datasets.ReadIDX(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(dims, data)

	// A file shorter than its header claims is refused.
	_, _, err = datasets.ReadIDX(bytes.NewReader(file[:20]), 20)
	fmt.Println(err)
	// Output:
	// [2 2 3] [0 1 2 3 4 5 6 7 8 9 10 11]
	// truncated: header claims 12 bytes, file has 4
}

// ExampleLoadMNISTFiles reads an images file and a labels file in the MNIST
// layout.
func ExampleLoadMNISTFiles() {
	dir, err := os.MkdirTemp("", "mnist-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	images := []byte{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 255, 51, 102}
	labels := []byte{0, 0, 8, 1, 0, 0, 0, 2, 4, 2}
	os.WriteFile(filepath.Join(dir, "images"), images, 0o644)
	os.WriteFile(filepath.Join(dir, "labels"), labels, 0o644)

	ds, err := datasets.LoadMNISTFiles(filepath.Join(dir, "images"), filepath.Join(dir, "labels"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds.Len(), ds.Shape, ds.X, ds.Y, ds.Classes[ds.Label(0)])
	flat := ds.Flatten()
	fmt.Println(flat.Shape, flat.Dim())
	// Output:
	// 2 [1 1 2] [0 1 0.2 0.4] [4 2] 4
	// [2] 2
}

// ExampleLoadImage reads a digit drawn black on white and turns it white on
// black, as MNIST's digits are.
func ExampleLoadImage() {
	dir, err := os.MkdirTemp("", "image-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	img := image.NewGray(image.Rect(0, 0, 3, 3))
	for i := range img.Pix {
		img.Pix[i] = 255 // white paper
	}
	img.SetGray(1, 0, color.Gray{})
	img.SetGray(1, 1, color.Gray{})
	img.SetGray(1, 2, color.Gray{}) // a black stroke: the digit 1
	var b bytes.Buffer
	png.Encode(&b, img)
	path := filepath.Join(dir, "one.png")
	os.WriteFile(path, b.Bytes(), 0o644)

	x, err := datasets.LoadImage(path, datasets.ImageOptions{Channels: 1, Height: 3, Width: 3, Invert: datasets.InvertAuto})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(x)
	// Output:
	// [0 1 0 0 1 0 0 1 0]
}
