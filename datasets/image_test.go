package datasets

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// grayImage returns a w×h grayscale image with the given pixels, row by row.
func grayImage(w, h int, pix ...uint8) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	copy(img.Pix, pix)
	return img
}

// filledGray returns a w×h image of value bg with a rectangle of value fg
// at [x0, x1) × [y0, y1).
func filledGray(w, h int, bg, fg uint8, x0, y0, x1, y1 int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := bg
			if x >= x0 && x < x1 && y >= y0 && y < y1 {
				v = fg
			}
			img.SetGray(x, y, color.Gray{Y: v})
		}
	}
	return img
}

func writePNG(t testing.TB, path string, img image.Image) string {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeJPEG(t testing.TB, path string, img image.Image) string {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func filled(n int, v float32) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = v
	}
	return x
}

func near(got, want []float32, tol float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > tol {
			return false
		}
	}
	return true
}

func TestLoadImageValues(t *testing.T) {
	dir := t.TempDir()
	gray := writePNG(t, filepath.Join(dir, "gray.png"), grayImage(3, 2, 0, 51, 102, 153, 204, 255))
	rgba := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	rgba.SetNRGBA(0, 0, color.NRGBA{255, 0, 0, 255})
	rgba.SetNRGBA(1, 0, color.NRGBA{0, 255, 0, 255})
	rgba.SetNRGBA(0, 1, color.NRGBA{0, 0, 255, 255})
	rgba.SetNRGBA(1, 1, color.NRGBA{0, 0, 0, 0}) // transparent: white
	colour := writePNG(t, filepath.Join(dir, "colour.png"), rgba)
	uniform := writeJPEG(t, filepath.Join(dir, "uniform.jpg"), filledGray(8, 8, 128, 128, 0, 0, 0, 0))
	var gifBuf bytes.Buffer
	pal := image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{color.Black, color.White})
	pal.Pix = []uint8{1, 0}
	if err := gif.Encode(&gifBuf, pal, nil); err != nil {
		t.Fatal(err)
	}
	gifPath := filepath.Join(dir, "two.gif")
	if err := os.WriteFile(gifPath, gifBuf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		path string
		opts ImageOptions
		want []float32
		tol  float64
	}{
		{"gray", gray, ImageOptions{}, []float32{0, 0.2, 0.4, 0.6, 0.8, 1}, 1e-6},
		{"gray as 3 channels", gray, ImageOptions{Channels: 3}, []float32{0, 0.2, 0.4, 0.6, 0.8, 1, 0, 0.2, 0.4, 0.6, 0.8, 1, 0, 0.2, 0.4, 0.6, 0.8, 1}, 1e-6},
		{"gray at its own size", gray, ImageOptions{Height: 2, Width: 3}, []float32{0, 0.2, 0.4, 0.6, 0.8, 1}, 1e-6},
		{"gray inverted", gray, ImageOptions{Invert: InvertAlways}, []float32{1, 0.8, 0.6, 0.4, 0.2, 0}, 1e-6},
		{"colour to luma", colour, ImageOptions{Channels: 1}, []float32{0.299, 0.587, 0.114, 1}, 1e-6},
		{"colour channels first", colour, ImageOptions{Channels: 3}, []float32{1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1}, 1e-6},
		{"jpeg", uniform, ImageOptions{}, filled(64, 128.0/255), 0.02},
		{"gif", gifPath, ImageOptions{}, []float32{1, 0}, 1e-6},
	}
	for _, tt := range tests {
		got, err := LoadImage(tt.path, tt.opts)
		if err != nil {
			t.Errorf("%s: LoadImage: %v", tt.name, err)
			continue
		}
		if !near(got, tt.want, tt.tol) {
			t.Errorf("%s: LoadImage = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestLoadImageSize(t *testing.T) {
	dir := t.TempDir()
	// 4 wide, 2 high: columns 0 1 0 1 in the top row, all 0.6 below.
	odd := writePNG(t, filepath.Join(dir, "odd.png"), grayImage(4, 2, 0, 255, 0, 255, 153, 153, 153, 153))

	_, err := LoadImage(odd, ImageOptions{Height: 28, Width: 28})
	if err == nil || !strings.Contains(err.Error(), odd) || !strings.Contains(err.Error(), "4x2 pixels") || !strings.Contains(err.Error(), "want 28x28") {
		t.Errorf("LoadImage(4x2, want 28x28) error %v; want one naming the file, 4x2 and 28x28", err)
	}

	tests := []struct {
		name string
		h, w int
		want []float32
	}{
		{"shrink", 1, 2, []float32{0.55, 0.55}}, // (0+1+0.6+0.6)/4 each
		{"shrink width", 2, 2, []float32{0.5, 0.5, 0.6, 0.6}},
		{"same", 2, 4, []float32{0, 1, 0, 1, 0.6, 0.6, 0.6, 0.6}},
		{"one pixel", 1, 1, []float32{0.55}},
	}
	for _, tt := range tests {
		got, err := LoadImage(odd, ImageOptions{Height: tt.h, Width: tt.w, Resize: true})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !near(got, tt.want, 1e-5) {
			t.Errorf("%s: LoadImage(4x2 to %dx%d) = %v; want %v", tt.name, tt.w, tt.h, got, tt.want)
		}
	}

	// Enlarging: the corners keep their values and everything stays in [0, 1].
	two := writePNG(t, filepath.Join(dir, "two.png"), grayImage(2, 2, 0, 255, 255, 0))
	got, err := LoadImage(two, ImageOptions{Height: 5, Width: 5, Resize: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 25 || got[0] != 0 || got[4] != 1 || got[20] != 1 || got[24] != 0 || math.Abs(float64(got[12])-0.5) > 1e-6 {
		t.Errorf("2x2 enlarged to 5x5 = %v; want corners 0 1 1 0 and 0.5 in the middle", got)
	}
	for _, v := range got {
		if v < 0 || v > 1 {
			t.Errorf("enlarged value %v; want in [0, 1]", v)
		}
	}
}

func TestResampleTapsSumToOne(t *testing.T) {
	for _, src := range []int{1, 2, 3, 7, 28, 100} {
		for _, dst := range []int{1, 2, 5, 20, 28, 64} {
			for o, ts := range resampleTaps(src, dst) {
				var s float32
				for _, tp := range ts {
					if tp.i < 0 || tp.i >= src || tp.w < 0 {
						t.Errorf("resampleTaps(%d, %d)[%d] has tap %+v; want index in [0, %d) and weight >= 0", src, dst, o, tp, src)
					}
					s += tp.w
				}
				if math.Abs(float64(s)-1) > 1e-5 {
					t.Errorf("resampleTaps(%d, %d)[%d] weights sum to %v; want 1", src, dst, o, s)
				}
			}
		}
	}
}

func TestLoadImageInvert(t *testing.T) {
	dir := t.TempDir()
	// A dark stroke on white, as a user draws a digit.
	drawn := writePNG(t, filepath.Join(dir, "drawn.png"), filledGray(5, 5, 255, 0, 2, 1, 3, 4))
	// A light stroke on black, as in MNIST.
	mnistLike := writePNG(t, filepath.Join(dir, "mnist.png"), filledGray(5, 5, 0, 255, 2, 1, 3, 4))
	// White rows 0 to 2, black rows 3 and 4: 9 of the 16 border pixels are
	// bright.
	mostly := writePNG(t, filepath.Join(dir, "mostly.png"), filledGray(5, 5, 0, 255, 0, 0, 5, 3))
	stroke := make([]float32, 25)
	for _, i := range []int{7, 12, 17} {
		stroke[i] = 1
	}
	inverse := make([]float32, 25)
	for i, v := range stroke {
		inverse[i] = 1 - v
	}
	tests := []struct {
		name   string
		path   string
		invert InvertMode
		want   []float32
	}{
		{"drawn, auto", drawn, InvertAuto, stroke},
		{"mnist-like, auto", mnistLike, InvertAuto, stroke},
		{"drawn, none", drawn, InvertNone, inverse},
		{"mnist-like, always", mnistLike, InvertAlways, inverse},
	}
	for _, tt := range tests {
		got, err := LoadImage(tt.path, ImageOptions{Invert: tt.invert})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !near(got, tt.want, 1e-6) {
			t.Errorf("%s: LoadImage = %v; want %v", tt.name, got, tt.want)
		}
	}
	got, err := LoadImage(mostly, ImageOptions{Invert: InvertAuto})
	if err != nil || got[0] != 0 || got[24] != 1 {
		t.Errorf("mostly bright border, auto: %v, %v; want inverted (first 0, last 1)", got, err)
	}
	if _, err := LoadImage(drawn, ImageOptions{Invert: 7}); err == nil || !strings.Contains(err.Error(), "invert mode 7") {
		t.Errorf("invert mode 7: error %v; want one naming the mode", err)
	}
}

// inkBox returns the bounding box of values above 0.5 in an h×w plane and
// its centre of mass.
func inkBox(x []float32, h, w int) (r0, r1, c0, c1 int, cy, cx float64) {
	r0, r1, c0, c1 = h, -1, w, -1
	var m float64
	for r := 0; r < h; r++ {
		for c := 0; c < w; c++ {
			v := float64(x[r*w+c])
			m += v
			cy += v * (float64(r) + 0.5)
			cx += v * (float64(c) + 0.5)
			if v > 0.5 {
				r0, r1, c0, c1 = min(r0, r), max(r1, r), min(c0, c), max(c1, c)
			}
		}
	}
	return r0, r1, c0, c1, cy / m, cx / m
}

func TestLoadImageCenter(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		img  image.Image
		opts ImageOptions
		// the ink's bounding box height and width after centring
		boxH, boxW int
	}{
		{"small square in a corner", filledGray(28, 28, 0, 255, 0, 0, 4, 4), ImageOptions{Center: true}, 20, 20},
		{"tall stroke drawn on white", filledGray(60, 80, 255, 0, 10, 5, 25, 65), ImageOptions{Center: true, Invert: InvertAuto}, 20, 5},
		{"wide bar", filledGray(100, 30, 0, 255, 50, 20, 90, 30), ImageOptions{Center: true, Height: 28, Width: 28}, 5, 20},
	}
	for _, tt := range tests {
		p := writePNG(t, filepath.Join(dir, "c.png"), tt.img)
		got, err := LoadImage(p, tt.opts)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(got) != 28*28 {
			t.Errorf("%s: %d values; want 784", tt.name, len(got))
			continue
		}
		r0, r1, c0, c1, cy, cx := inkBox(got, 28, 28)
		if h, w := r1-r0+1, c1-c0+1; h < tt.boxH-1 || h > tt.boxH+1 || w < tt.boxW-1 || w > tt.boxW+1 {
			t.Errorf("%s: ink box %dx%d (w x h); want about %dx%d", tt.name, w, h, tt.boxW, tt.boxH)
		}
		if math.Abs(cy-14) > 1 || math.Abs(cx-14) > 1 {
			t.Errorf("%s: centre of mass (%.2f, %.2f); want within 1 of (14, 14)", tt.name, cy, cx)
		}
	}
	// A blank image is only resized.
	blank := writePNG(t, filepath.Join(dir, "blank.png"), filledGray(10, 10, 0, 0, 0, 0, 0, 0))
	got, err := LoadImage(blank, ImageOptions{Center: true})
	if err != nil || len(got) != 784 {
		t.Errorf("blank image, Center: %d values, %v; want 784, nil", len(got), err)
	}
}

func TestLoadImages(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "b.png"), grayImage(2, 2, 255, 255, 255, 255))
	writeJPEG(t, filepath.Join(dir, "a.JPG"), grayImage(2, 2, 0, 0, 0, 0))
	writePNG(t, filepath.Join(dir, "c.png"), grayImage(2, 2, 0, 255, 0, 255))
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.png"), 0o755); err != nil {
		t.Fatal(err)
	}
	ds, names, err := LoadImages(dir, ImageOptions{})
	if err != nil {
		t.Fatalf("LoadImages: %v", err)
	}
	wantNames := []string{filepath.Join(dir, "a.JPG"), filepath.Join(dir, "b.png"), filepath.Join(dir, "c.png")}
	if !reflect.DeepEqual(names, wantNames) {
		t.Errorf("names %v; want %v", names, wantNames)
	}
	if !reflect.DeepEqual(ds.Shape, []int{1, 2, 2}) || ds.Len() != 3 || ds.Y != nil || ds.Name != dir {
		t.Errorf("Shape %v, Len %d, Y %v, Name %q; want [1 2 2], 3, nil, %q", ds.Shape, ds.Len(), ds.Y, ds.Name, dir)
	}
	if !near(ds.X, []float32{0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1}, 0.02) {
		t.Errorf("X %v; want the three images in name order", ds.X)
	}

	// One file.
	ds, names, err = LoadImages(filepath.Join(dir, "c.png"), ImageOptions{Channels: 3})
	if err != nil || ds.Len() != 1 || !reflect.DeepEqual(ds.Shape, []int{3, 2, 2}) || len(names) != 1 {
		t.Errorf("LoadImages(one file, 3 channels): %v; want 1 sample of [3 2 2]", err)
	}

	// Sizes that differ: an error naming the file, unless resized.
	mixed := t.TempDir()
	writePNG(t, filepath.Join(mixed, "1.png"), grayImage(2, 2))
	odd := writePNG(t, filepath.Join(mixed, "2.png"), grayImage(3, 2))
	if _, _, err := LoadImages(mixed, ImageOptions{}); err == nil || !strings.Contains(err.Error(), odd) || !strings.Contains(err.Error(), "want 2x2") {
		t.Errorf("LoadImages(mixed sizes) error %v; want one naming %s and 2x2", err, odd)
	}
	ds, _, err = LoadImages(mixed, ImageOptions{Height: 4, Width: 4, Resize: true})
	if err != nil || ds.Len() != 2 || !reflect.DeepEqual(ds.Shape, []int{1, 4, 4}) {
		t.Errorf("LoadImages(mixed sizes, resized to 4x4): %v; want 2 samples of [1 4 4]", err)
	}

	// A folder without images.
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "readme.md"), []byte("#"), 0o644)
	if _, _, err := LoadImages(empty, ImageOptions{}); !errors.Is(err, ErrEmpty) || !strings.Contains(err.Error(), empty) {
		t.Errorf("LoadImages(no images) error %v; want ErrEmpty naming the folder", err)
	}
	if _, _, err := LoadImages(filepath.Join(empty, "missing"), ImageOptions{}); err == nil {
		t.Errorf("LoadImages(missing path) succeeded; want an error")
	}
}

// hugePNG returns a PNG whose header claims w×h pixels, with a valid CRC.
func hugePNG(t *testing.T, w, h uint32) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, grayImage(1, 1, 0)); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	// The IHDR chunk: length at 8, type at 12, width at 16, height at 20,
	// 13 bytes of data, then the CRC of type and data at 29.
	binary.BigEndian.PutUint32(data[16:], w)
	binary.BigEndian.PutUint32(data[20:], h)
	binary.BigEndian.PutUint32(data[29:], crc32.ChecksumIEEE(data[12:29]))
	return data
}

func TestLoadImageBadFiles(t *testing.T) {
	dir := t.TempDir()
	var good bytes.Buffer
	png.Encode(&good, filledGray(16, 16, 0, 255, 4, 4, 12, 12))
	files := map[string][]byte{
		"corrupt.png":   []byte("this is not a picture at all"),
		"truncated.png": good.Bytes()[:good.Len()/2],
		"header.png":    good.Bytes()[:20],
		"empty.jpg":     nil,
		"huge.png":      hugePNG(t, 1<<20, 1<<20),
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadImage(p, ImageOptions{})
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("LoadImage(%s) error %v; want one naming the file", name, err)
		}
	}
	if _, err := LoadImage(filepath.Join(dir, "huge.png"), ImageOptions{}); err == nil || !strings.Contains(err.Error(), "1048576x1048576") {
		t.Errorf("huge PNG error %v; want one giving its claimed size", err)
	}
	// A corrupt file in a folder fails the folder, naming the file.
	if _, _, err := LoadImages(dir, ImageOptions{}); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "corrupt.png")) {
		t.Errorf("LoadImages(folder with corrupt files) error %v; want one naming corrupt.png", err)
	}

	ok := writePNG(t, filepath.Join(t.TempDir(), "ok.png"), grayImage(1, 1, 0))
	for _, tt := range []struct {
		opts ImageOptions
		want string
	}{
		{ImageOptions{Channels: 2}, "2 channels: want 1 or 3"},
		{ImageOptions{Channels: 4}, "4 channels: want 1 or 3"},
		{ImageOptions{Height: 28}, "0x28 pixels"},
		{ImageOptions{Height: -1, Width: -1}, "want both positive or both 0"},
	} {
		if _, err := LoadImage(ok, tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("LoadImage(%+v) error %v; want one containing %q", tt.opts, err, tt.want)
		}
	}
}

// A PNG that claims 4100×4100 pixels, just over MaxImagePixels (under
// the old limit), in a few bytes: refused from its header, before its
// pixels are decoded. An image at the limit still loads.
func TestLoadImagePixelLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.png")
	if err := os.WriteFile(path, hugePNG(t, 4100, 4100), 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := LoadImage(path, ImageOptions{})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "4100x4100 pixels") {
		t.Errorf("LoadImage of a PNG claiming 4100x4100 pixels: %v; want it refused", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("LoadImage allocated %d MB before refusing", alloc>>20)
	}
	if testing.Short() {
		return
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, image.NewGray(image.Rect(0, 0, 4096, 4096))); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, b.Bytes(), 0o644)
	if x, err := LoadImage(path, ImageOptions{}); err != nil || len(x) != 4096*4096 {
		t.Errorf("LoadImage of 4096x4096 pixels: %d values, %v", len(x), err)
	}
}
