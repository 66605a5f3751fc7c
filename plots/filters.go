package plots

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot"

	"github.com/dlgo/dlgo/models"
)

// Filters returns the learned filters of a convolution kernel of shape
// (filters, channels, height, width), such as a ConvNet's
// "conv2d_1/kernel", as a grid of grayscale tiles, cols to a row (0 picks a
// near-square grid), titled with the kernel's name and size. Each filter
// is stretched from its most negative weight (black) to its most positive
// (white), over all its channels together. A single-channel kernel (the
// first layer on grayscale images) gives one tile per filter; with several
// channels each filter gives one tile per channel, in order, and cols <= 0
// puts one filter on each row.
func Filters(kernel *models.Param, cols int) (*plot.Plot, error) {
	return filters(&tileGrid{}, kernel, cols)
}

// filters is Filters, filling in the grid g.
func filters(g *tileGrid, kernel *models.Param, cols int) (*plot.Plot, error) {
	if kernel == nil || kernel.Value == nil {
		return nil, errors.New("plots: filters: no kernel")
	}
	shape := kernel.Shape()
	if len(shape) != 4 || shape[0] <= 0 || shape[1] <= 0 || shape[2] <= 0 || shape[3] <= 0 {
		return nil, fmt.Errorf("plots: filters: %s has shape %v; want (filters, channels, height, width)", kernel.Name, shape)
	}
	nf, nc, h, w := shape[0], shape[1], shape[2], shape[3]
	if nf*nc > maxGridImages {
		return nil, fmt.Errorf("plots: filters: %s holds %d×%d = %d images; want at most %d", kernel.Name, nf, nc, nf*nc, maxGridImages)
	}
	if nc > 1 && cols <= 0 {
		cols = nc
	}
	values := kernel.Float64s()
	size := nc * h * w
	images := make([][]float32, 0, nf*nc)
	for f := range nf {
		filter := values[f*size : (f+1)*size]
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range filter {
			if finite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		for c := range nc {
			img := make([]float32, h*w)
			for i, v := range filter[c*h*w : (c+1)*h*w] {
				switch {
				case math.IsNaN(v):
					img[i] = float32(v) // drawn black
				case hi > lo:
					img[i] = float32((v - lo) / (hi - lo))
				default: // a constant filter
					img[i] = 0.5
				}
			}
			images = append(images, img)
		}
	}
	p, err := imageGrid(g, images, h, w, cols, nil, false)
	if err != nil {
		return nil, err
	}
	p.Title.Text = fmt.Sprintf("%s: %d filters of %d×%d", kernel.Name, nf, h, w)
	if nc > 1 {
		p.Title.Text += fmt.Sprintf(" over %d channels", nc)
	}
	return p, nil
}
