package datasets

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // register GIF decoding for LoadImage
	_ "image/jpeg"
	_ "image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// InvertMode says whether LoadImage inverts pixel values (v becomes 1-v).
type InvertMode int

const (
	// InvertNone keeps the values as decoded.
	InvertNone InvertMode = iota
	// InvertAlways inverts every image.
	InvertAlways
	// InvertAuto inverts an image whose border pixels are mostly bright
	// (luma above 0.5): a dark digit drawn on a light background becomes a
	// light digit on a dark one, as in MNIST, while an image that already
	// looks like MNIST is kept.
	InvertAuto
)

// ImageOptions says how LoadImage turns an image file into features.
type ImageOptions struct {
	// Channels is 1 for grayscale (luma 0.299 R + 0.587 G + 0.114 B) or 3 for
	// RGB; 0 means 1.
	Channels int
	// Height and Width are the size wanted, in pixels. Both 0 means the
	// image's own size (for LoadImages, the first image's size).
	Height, Width int
	// Resize scales an image of another size to Height×Width (area
	// averaging when shrinking, bilinear when enlarging). Without it such an
	// image is an error.
	Resize bool
	// Invert says whether to invert the values; see InvertMode.
	Invert InvertMode
	// Center does what MNIST's preprocessing did: it crops the image to the
	// bounding box of its ink (pixels brighter than 30% of the brightest),
	// scales that box, keeping its aspect ratio, to fit in 20/28 of
	// Height×Width (20×20 of 28×28), and places it so that its centre of
	// mass is at the centre, on a black background. The ink must be light on
	// dark, so use it with InvertAuto for drawn digits. Height and Width 0
	// mean 28×28 here; Resize is implied. A blank image is only resized.
	Center bool
}

// Bounds on what LoadImage decodes. An image is decoded only after its
// header (image.DecodeConfig) says it has at most MaxImagePixels pixels,
// so that a small file claiming a huge size, or a compression bomb, is
// refused before anything large is allocated: decoding takes at most 8
// bytes a pixel (16-bit RGBA), the features 12 more (three float32
// channels), 320 MB in all at the limit. A file of more than
// MaxImageFileBytes is refused before it is read.
const (
	// MaxImagePixels is 4096×4096 pixels.
	MaxImagePixels = 1 << 24
	// MaxImageFileBytes is 256 MB.
	MaxImageFileBytes = 1 << 28
)

// imageExts are the file name extensions LoadImages reads in a folder.
var imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true}

// LoadImage reads a PNG, JPEG or GIF file into features of shape
// [Channels, Height, Width], channels first, in [0, 1]. Transparent pixels
// are composited over white. See ImageOptions for the size, inversion and
// centring.
func LoadImage(path string, opts ImageOptions) ([]float32, error) {
	x, _, _, err := loadImage(path, opts)
	return x, err
}

// LoadImages reads one image file, or every PNG, JPEG and GIF file in a
// folder (sorted by name; other files and subfolders are skipped), into an
// unlabelled data set of Shape [Channels, Height, Width] for inference: Y,
// Targets and Classes are nil. It also returns the path of each image, in
// sample order. All images must come out the same size: give Height and
// Width with Resize, or they must match the first image. A folder without
// images is an error.
func LoadImages(pathOrDir string, opts ImageOptions) (*Dataset, []string, error) {
	st, err := os.Stat(pathOrDir)
	if err != nil {
		return nil, nil, err
	}
	var paths []string
	if !st.IsDir() {
		paths = []string{pathOrDir}
	} else {
		entries, err := os.ReadDir(pathOrDir)
		if err != nil {
			return nil, nil, err
		}
		for _, e := range entries { // ReadDir sorts by name
			if e.Type().IsRegular() && imageExts[strings.ToLower(filepath.Ext(e.Name()))] {
				paths = append(paths, filepath.Join(pathOrDir, e.Name()))
			}
		}
		if len(paths) == 0 {
			return nil, nil, fmt.Errorf("%s: no PNG, JPEG or GIF files: %w", pathOrDir, ErrEmpty)
		}
	}
	var x []float32
	var shape []int
	for _, p := range paths {
		v, h, w, err := loadImage(p, opts)
		if err != nil {
			return nil, nil, err
		}
		if shape == nil {
			// The first image fixes the size of the others.
			opts.Height, opts.Width = h, w
			shape = []int{len(v) / (h * w), h, w}
			x = make([]float32, 0, len(paths)*len(v))
		}
		x = append(x, v...)
	}
	return &Dataset{Name: pathOrDir, X: x, Shape: shape}, paths, nil
}

// Flatten returns a shallow copy of d with Shape [d.Dim()]: the same
// samples, as flat vectors for an MLP. X, Y and the names are shared.
func (d *Dataset) Flatten() *Dataset {
	f := *d
	f.Shape = []int{d.Dim()}
	return &f
}

// loadImage does LoadImage's work and also returns the output height and
// width.
func loadImage(path string, opts ImageOptions) (x []float32, h, w int, err error) {
	c := opts.Channels
	if c == 0 {
		c = 1
	}
	if c != 1 && c != 3 {
		return nil, 0, 0, fmt.Errorf("%s: image options ask for %d channels: want 1 or 3", path, opts.Channels)
	}
	if opts.Height < 0 || opts.Width < 0 || (opts.Height == 0) != (opts.Width == 0) {
		return nil, 0, 0, fmt.Errorf("%s: image options ask for %dx%d pixels (width x height): want both positive or both 0", path, opts.Width, opts.Height)
	}
	raw, err := readImageFile(path)
	if err != nil {
		return nil, 0, 0, err
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%s: not a readable PNG, JPEG or GIF image: %w", path, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, 0, 0, fmt.Errorf("%s: image of %dx%d pixels: want at least 1 and at most %d pixels", path, cfg.Width, cfg.Height, MaxImagePixels)
	}
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%s: not a readable PNG, JPEG or GIF image: %w", path, err)
	}
	planes, h, w := imagePlanes(img, c)

	switch opts.Invert {
	case InvertNone:
	case InvertAlways:
		invert(planes)
	case InvertAuto:
		if borderBright(luma(planes, c, h*w), h, w) {
			invert(planes)
		}
	default:
		return nil, 0, 0, fmt.Errorf("%s: unknown invert mode %d", path, opts.Invert)
	}

	wantH, wantW := opts.Height, opts.Width
	if opts.Center {
		if wantH == 0 {
			wantH, wantW = 28, 28
		}
		return centerInk(planes, c, h, w, wantH, wantW), wantH, wantW, nil
	}
	if wantH == 0 || (wantH == h && wantW == w) {
		return planes, h, w, nil
	}
	if !opts.Resize {
		return nil, 0, 0, fmt.Errorf("%s: image is %dx%d pixels (width x height): want %dx%d, or set Resize", path, w, h, wantW, wantH)
	}
	return resizePlanes(planes, c, h, w, wantH, wantW), wantH, wantW, nil
}

// readImageFile reads an image file of at most MaxImageFileBytes: a
// regular file's size is checked first, a pipe's as it is read.
func readImageFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > MaxImageFileBytes {
		return nil, fmt.Errorf("%s: an image file of %d bytes; at most %d are read", path, st.Size(), MaxImageFileBytes)
	}
	raw, err := io.ReadAll(io.LimitReader(f, MaxImageFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(raw) > MaxImageFileBytes {
		return nil, fmt.Errorf("%s: an image file of more than %d bytes", path, MaxImageFileBytes)
	}
	return raw, nil
}

// imagePlanes converts img to c channel planes (c is 1 or 3) of values in
// [0, 1], channels first, compositing transparent pixels over white.
func imagePlanes(img image.Image, c int) ([]float32, int, int) {
	b := img.Bounds()
	h, w := b.Dy(), b.Dx()
	n := h * w
	x := make([]float32, c*n)
	const m = 0xffff
	for yy := 0; yy < h; yy++ {
		for xx := 0; xx < w; xx++ {
			r, g, bl, a := img.At(b.Min.X+xx, b.Min.Y+yy).RGBA()
			// RGBA is alpha-premultiplied: adding (1-alpha) lays it on white.
			r, g, bl = r+m-a, g+m-a, bl+m-a
			i := yy*w + xx
			if c == 1 {
				x[i] = (0.299*float32(r) + 0.587*float32(g) + 0.114*float32(bl)) / m
			} else {
				x[i], x[n+i], x[2*n+i] = float32(r)/m, float32(g)/m, float32(bl)/m
			}
		}
	}
	clamp01(x)
	return x, h, w
}

// luma returns the grayscale plane of c channel planes of n pixels each.
func luma(planes []float32, c, n int) []float32 {
	if c == 1 {
		return planes
	}
	y := make([]float32, n)
	for i := range y {
		y[i] = 0.299*planes[i] + 0.587*planes[n+i] + 0.114*planes[2*n+i]
	}
	return y
}

// borderBright reports whether more than half of the pixels on the border
// of an h×w grayscale plane have luma above 0.5.
func borderBright(y []float32, h, w int) bool {
	bright, total := 0, 0
	for r := 0; r < h; r++ {
		for c := 0; c < w; c++ {
			if r == 0 || r == h-1 || c == 0 || c == w-1 {
				total++
				if y[r*w+c] > 0.5 {
					bright++
				}
			}
		}
	}
	return 2*bright > total
}

func invert(x []float32) {
	for i, v := range x {
		x[i] = 1 - v
	}
}

func clamp01(x []float32) {
	for i, v := range x {
		x[i] = min(max(v, 0), 1)
	}
}

// tap is one source pixel's weight in an output pixel.
type tap struct {
	i int
	w float32
}

// resampleTaps returns, for each of dst output pixels along one axis, the
// source pixels and weights: area averaging when shrinking, linear
// interpolation between pixel centres otherwise.
func resampleTaps(src, dst int) [][]tap {
	taps := make([][]tap, dst)
	scale := float64(src) / float64(dst)
	for o := range taps {
		if dst < src {
			lo, hi := float64(o)*scale, float64(o+1)*scale
			for i := int(lo); i < src && float64(i) < hi; i++ {
				if cover := math.Min(hi, float64(i+1)) - math.Max(lo, float64(i)); cover > 0 {
					taps[o] = append(taps[o], tap{i, float32(cover / scale)})
				}
			}
			continue
		}
		s := math.Min(math.Max((float64(o)+0.5)*scale-0.5, 0), float64(src-1))
		i0 := int(s)
		f := float32(s - float64(i0))
		taps[o] = []tap{{i0, 1 - f}, {min(i0+1, src-1), f}}
	}
	return taps
}

// resizePlanes resamples c planes of h×w pixels to nh×nw, separably.
func resizePlanes(planes []float32, c, h, w, nh, nw int) []float32 {
	tx, ty := resampleTaps(w, nw), resampleTaps(h, nh)
	out := make([]float32, c*nh*nw)
	tmp := make([]float32, h*nw)
	for ch := 0; ch < c; ch++ {
		src := planes[ch*h*w : (ch+1)*h*w]
		for r := 0; r < h; r++ {
			for o, ts := range tx {
				var s float32
				for _, t := range ts {
					s += t.w * src[r*w+t.i]
				}
				tmp[r*nw+o] = s
			}
		}
		dst := out[ch*nh*nw : (ch+1)*nh*nw]
		for o, ts := range ty {
			for col := 0; col < nw; col++ {
				var s float32
				for _, t := range ts {
					s += t.w * tmp[t.i*nw+col]
				}
				dst[o*nw+col] = s
			}
		}
	}
	clamp01(out)
	return out
}

// centerInk crops c planes of h×w pixels to the bounding box of their ink,
// fits it into 20/28 of nh×nw keeping its aspect ratio and places its
// centre of mass at the centre of an nh×nw black canvas.
func centerInk(planes []float32, c, h, w, nh, nw int) []float32 {
	y := luma(planes, c, h*w)
	var peak float32
	for _, v := range y {
		peak = max(peak, v)
	}
	if peak < 0.05 {
		return resizePlanes(planes, c, h, w, nh, nw)
	}
	r0, r1, c0, c1 := h, -1, w, -1
	for r := 0; r < h; r++ {
		for col := 0; col < w; col++ {
			if y[r*w+col] > 0.3*peak {
				r0, r1, c0, c1 = min(r0, r), max(r1, r), min(c0, col), max(c1, col)
			}
		}
	}
	bh, bw := r1-r0+1, c1-c0+1
	crop := make([]float32, c*bh*bw)
	for ch := 0; ch < c; ch++ {
		for r := 0; r < bh; r++ {
			copy(crop[(ch*bh+r)*bw:(ch*bh+r+1)*bw], planes[ch*h*w+(r0+r)*w+c0:][:bw])
		}
	}
	boxH, boxW := max(1, int(math.Round(float64(nh)*20/28))), max(1, int(math.Round(float64(nw)*20/28)))
	s := math.Min(float64(boxH)/float64(bh), float64(boxW)/float64(bw))
	fh, fw := max(1, min(boxH, int(math.Round(float64(bh)*s)))), max(1, min(boxW, int(math.Round(float64(bw)*s))))
	fit := resizePlanes(crop, c, bh, bw, fh, fw)

	// Centre of mass of the fitted ink, in pixel-centre coordinates.
	fy := luma(fit, c, fh*fw)
	var mass, my, mx float64
	for r := 0; r < fh; r++ {
		for col := 0; col < fw; col++ {
			v := float64(fy[r*fw+col])
			mass += v
			my += v * (float64(r) + 0.5)
			mx += v * (float64(col) + 0.5)
		}
	}
	oy, ox := (nh-fh)/2, (nw-fw)/2
	if mass > 0 {
		oy = int(math.Round(float64(nh)/2 - my/mass))
		ox = int(math.Round(float64(nw)/2 - mx/mass))
	}
	oy, ox = min(max(oy, 0), nh-fh), min(max(ox, 0), nw-fw)
	out := make([]float32, c*nh*nw)
	for ch := 0; ch < c; ch++ {
		for r := 0; r < fh; r++ {
			copy(out[(ch*nh+oy+r)*nw+ox:][:fw], fit[(ch*fh+r)*fw:][:fw])
		}
	}
	return out
}
