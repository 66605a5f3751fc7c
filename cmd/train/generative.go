package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/plots"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// The generative models of -model: autoencoders and variational
// autoencoders, trained on MNIST's images as their own targets.
var generativeModels = []string{"autoencoder", "conv-autoencoder", "vae", "conv-vae"}

// isGenerative says whether -model names one of the generative models.
func isGenerative(model string) bool { return slices.Contains(generativeModels, model) }

// takesImages says whether -model names a zoo model that takes images
// (channels, height, width) rather than flat rows.
func takesImages(model string) bool {
	return model == "convnet" || model == "conv-autoencoder" || model == "conv-vae"
}

// checkGenerative checks the settings of a generative model.
func (c *config) checkGenerative() error {
	if !isGenerative(c.Model) {
		if c.Latent != 0 {
			return errors.New("-latent sets the latent size of vae and conv-vae")
		}
		return nil
	}
	switch {
	case c.Data != "mnist":
		return fmt.Errorf("-model %s learns to reconstruct images with values in [0, 1]: use -data mnist", c.Model)
	case c.Latent < 0:
		return fmt.Errorf("-latent %d must be positive", c.Latent)
	case c.Latent != 0 && c.Model != "vae" && c.Model != "conv-vae":
		return fmt.Errorf("-latent sets the latent size of vae and conv-vae; %s's code is given by -hidden (autoencoder) or its architecture", c.Model)
	case c.set["hidden"] && c.Model != "autoencoder" && c.Model != "vae":
		return fmt.Errorf("-hidden sets the widths of autoencoder and vae; %s has the layers of Keras' example", c.Model)
	}
	if c.Model == "vae" && c.set["hidden"] {
		if w, err := parseHidden(c.Hidden); err != nil || len(w) != 1 {
			return fmt.Errorf("-hidden %q: a vae has one hidden width on each side, e.g. 512", c.Hidden)
		}
	}
	return nil
}

// buildGenerative builds the generative model c names for images of the
// training data's shape: flat rows for the dense models, (1, 28, 28)
// images for the convolutional ones.
func buildGenerative(c config, d *runData) (*models.Model, error) {
	opts := []models.Option{models.WithSeed(c.Seed), models.WithDataInfo(d.train)}
	if c.Ops == "gorgonia" {
		opts = append(opts, models.WithGorgoniaOps())
	}
	if c.Loss != "" {
		l, err := models.ParseLoss(c.Loss)
		if err != nil {
			return nil, fmt.Errorf("-loss: %w", err)
		}
		opts = append(opts, models.WithLoss(l))
	}
	shape := d.train.Shape
	var widths []int
	if c.set["hidden"] {
		var err error
		if widths, err = parseHidden(c.Hidden); err != nil {
			return nil, err
		}
	}
	switch c.Model {
	case "autoencoder":
		return models.NewAutoencoder(shape, widths, opts...)
	case "conv-autoencoder":
		return models.NewConvAutoencoder(shape, opts...)
	case "vae":
		hidden := 0
		if len(widths) == 1 {
			hidden = widths[0]
		}
		return models.NewVAE(shape, hidden, c.Latent, opts...)
	}
	return models.NewConvVAE(shape, c.Latent, opts...)
}

// The generative figures.
const (
	reconstructionsPlot = "reconstructions.png"
	latentPlot          = "latent.png"
	manifoldPlot        = "manifold.png"
	generatedPlot       = "generated.png"
)

// Sizes of the generative figures.
const (
	// reconstructionSamples are drawn above their reconstructions, ten
	// to a row.
	reconstructionSamples = 20
	// latentSamples is the most held-out samples whose codes latent.png
	// shows.
	latentSamples = 10000
	// manifoldSide and manifoldSpan make manifold.png's grid: 30×30
	// points over [-2, 2]², where most of the prior's mass lies.
	manifoldSide = 30
	manifoldSpan = 2.0
	// generatedSamples are decoded from draws of the prior.
	generatedSamples = 100
)

// writeGenerativePlots draws an autoencoder's figures on the most
// held-out data: its reconstructions, its latent codes, and for a
// variational autoencoder the decoded latent plane (a 2-D latent space)
// and samples of the prior.
func (o *runOutput) writeGenerativePlots() {
	d, name := heldOut(o.d)
	h, w, err := imageSize(d.Shape, o.m.InputShape())
	if err != nil {
		return // not images: no pictures of them
	}
	n := min(reconstructionSamples, d.Len())
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	o.plotSized(reconstructionsPlot, 8*vg.Inch, 3.8*vg.Inch, func() (*plot.Plot, error) {
		sub := d.Subset(idx)
		rec, err := o.m.Predict(sub.X)
		if err != nil {
			return nil, err
		}
		p, err := plots.Reconstructions(rows(sub.X, h*w), rows(rec, h*w), h, w, 10, nil)
		if err != nil {
			return nil, err
		}
		p.Title.Text = fmt.Sprintf("%s data (top) and their reconstructions (below)", name)
		return p, nil
	})
	if o.m.LatentDim() > 0 {
		o.plotSized(latentPlot, 6.5*vg.Inch, 5*vg.Inch, func() (*plot.Plot, error) {
			sub := limitSamples(d, latentSamples)
			codes, err := o.m.Encode(sub.X)
			if err != nil {
				return nil, err
			}
			var labels []int
			if sub.IsClassification() && sub.IsLabelled() {
				labels = make([]int, sub.Len())
				for i := range labels {
					labels[i] = sub.Label(i)
				}
			}
			p, err := plots.Latent(codes, o.m.LatentDim(), labels, sub.Classes)
			if err != nil {
				return nil, err
			}
			p.Title.Text = fmt.Sprintf("latent codes of %d %s images", sub.Len(), name)
			if o.m.HasSampling() {
				p.Title.Text = fmt.Sprintf("latent means of %d %s images", sub.Len(), name)
			}
			return p, nil
		})
	}
	if !o.m.HasSampling() {
		return
	}
	if o.m.LatentDim() == 2 {
		o.plotSized(manifoldPlot, 7*vg.Inch, 7*vg.Inch, func() (*plot.Plot, error) {
			return plots.Manifold(o.m, manifoldSide, manifoldSpan, h, w)
		})
	}
	o.plotSized(generatedPlot, 6*vg.Inch, 6.3*vg.Inch, func() (*plot.Plot, error) {
		gen, err := o.m.Generate(generatedSamples, uint64(o.c.Seed))
		if err != nil {
			return nil, err
		}
		p, err := plots.ImageGrid(rows(gen, h*w), h, w, 10, nil, false)
		if err != nil {
			return nil, err
		}
		p.Title.Text = fmt.Sprintf("%d samples of the prior, decoded (seed %d)", generatedSamples, o.c.Seed)
		return p, nil
	})
}

// imageSize returns the height and width of grayscale images: the data's
// shape (1, H, W), or a flattened 784 taken as MNIST's 28×28.
func imageSize(shape, input []int) (h, w int, err error) {
	switch {
	case len(shape) == 3 && shape[0] == 1:
		return shape[1], shape[2], nil
	case len(input) == 1 && input[0] == 28*28:
		return 28, 28, nil
	}
	return 0, 0, fmt.Errorf("samples of shape %v are not grayscale images", shape)
}

// rows cuts row-major values into rows of size values.
func rows(v []float32, size int) [][]float32 {
	out := make([][]float32, 0, len(v)/size)
	for i := 0; i+size <= len(v); i += size {
		out = append(out, v[i:i+size])
	}
	return out
}

// plotSized draws one picture of the given size into the run directory
// and records its name.
func (o *runOutput) plotSized(name string, w, h vg.Length, draw func() (*plot.Plot, error)) {
	p, err := draw()
	if err == nil {
		err = plots.Save(p, filepath.Join(o.dir, name), w, h)
	}
	if err != nil {
		o.log.Warnf("%s is not drawn: %v (the model and its metrics are saved)", name, err)
		return
	}
	o.plots = append(o.plots, name)
}

// limitSamples keeps the first n samples of d (all of them if n is 0 or
// more than d has).
func limitSamples(d *datasets.Dataset, n int) *datasets.Dataset {
	if n <= 0 || n >= d.Len() {
		return d
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return d.Subset(idx)
}
