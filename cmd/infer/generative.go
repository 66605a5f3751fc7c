package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/dlgo/dlgo/internal/atomicfile"
	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/plots"
	"github.com/dlgo/dlgo/trainers"
	"github.com/sirupsen/logrus"
	"gonum.org/v1/plot/vg"
)

// What infer does with autoencoders: reconstruct each sample and score
// the reconstruction (-eval, -hardest), encode samples into their latent
// codes (-encode), and decode draws of a variational autoencoder's prior
// (-generate).

// maxGenerate is the most samples -generate draws.
const maxGenerate = 1 << 16

// maxPictured is the most samples a PNG of reconstructions shows.
const maxPictured = 100

// isPNG says whether an output file is a picture.
func isPNG(path string) bool { return strings.EqualFold(filepath.Ext(path), ".png") }

// writeOutput writes to -out, atomically, or to stdout.
func writeOutput(cfg *config, stdout io.Writer, log *logrus.Logger, what string, write func(io.Writer) error) error {
	if cfg.out == "" {
		if err := write(stdout); err != nil {
			return fmt.Errorf("writing to standard output: %w", err)
		}
		return nil
	}
	if err := atomicfile.Write(cfg.out, write); err != nil {
		return fmt.Errorf("writing the %s: %w", what, err)
	}
	log.WithField("path", cfg.out).Info("wrote " + what)
	return nil
}

// imageShape returns the height and width of a model's grayscale image
// samples: input (1, H, W), or 784 values trained on MNIST as 28×28.
func imageShape(m *models.Model) (h, w int, err error) {
	in := m.InputShape()
	switch {
	case len(in) == 3 && in[0] == 1:
		return in[1], in[2], nil
	case len(in) == 1 && in[0] == 28*28 && trainedOnMNIST(m):
		return 28, 28, nil
	}
	return 0, 0, fmt.Errorf("model %s takes samples of shape %v, not grayscale images: write CSV instead of a PNG", m.Name(), in)
}

// rowsOf cuts row-major values into rows of size values.
func rowsOf(v []float32, size int) [][]float32 {
	out := make([][]float32, 0, len(v)/size)
	for i := 0; i+size <= len(v); i += size {
		out = append(out, v[i:i+size])
	}
	return out
}

// generate decodes cfg.generate draws of m's prior and writes them.
func generate(cfg *config, m *models.Model, stdout io.Writer, log *logrus.Logger) error {
	if !m.HasSampling() {
		return fmt.Errorf("-generate: model %s (%s) has no prior to draw from: only a variational autoencoder (a model with a sampling layer) has one", m.Name(), m.Spec().Task())
	}
	values, err := m.Generate(cfg.generate, uint64(cfg.seed))
	if err != nil {
		return err
	}
	log.WithFields(logrus.Fields{"samples": cfg.generate, "seed": cfg.seed}).Info("generated")
	dim := m.Spec().Units()
	if cfg.out != "" && isPNG(cfg.out) {
		h, w, err := imageShape(m)
		if err != nil {
			return err
		}
		cols := 10
		if cfg.generate > 100 {
			cols = int(math.Ceil(math.Sqrt(float64(cfg.generate))))
		}
		cols = min(cols, cfg.generate)
		p, err := plots.ImageGrid(rowsOf(values, dim), h, w, cols, nil, false)
		if err != nil {
			return err
		}
		rows := (cfg.generate + cols - 1) / cols
		size := vg.Length(min(0.6, 8/float64(cols))) * vg.Inch
		if err := plots.Save(p, cfg.out, max(vg.Length(cols)*size, 2*vg.Inch), max(vg.Length(rows)*size, vg.Inch)); err != nil {
			return fmt.Errorf("writing the generated samples: %w", err)
		}
		log.WithField("path", cfg.out).Info("wrote generated samples")
		return nil
	}
	names := valueNames(m)
	return writeOutput(cfg, stdout, log, "generated samples", func(w io.Writer) error {
		if cfg.json {
			return writeRowsJSON(w, m, "generated", "values", values, dim, nil, cfg.generate)
		}
		cw := csv.NewWriter(w)
		if err := cw.Write(append([]string{"sample"}, names...)); err != nil {
			return err
		}
		for i := range cfg.generate {
			if err := cw.Write(append([]string{strconv.Itoa(i + 1)}, formatValues(values[i*dim:(i+1)*dim])...)); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
}

// valueNames names a model's output values, as the columns of a CSV: its
// features' names for a tabular autoencoder, else v1, v2, ...
func valueNames(m *models.Model) []string {
	spec := m.Spec()
	if len(spec.Features) == spec.Units() {
		return spec.Features
	}
	names := make([]string, spec.Units())
	for i := range names {
		names[i] = "v" + strconv.Itoa(i+1)
	}
	return names
}

func formatValues(v []float32) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = strconv.FormatFloat(float64(x), 'g', 6, 32)
	}
	return out
}

// writeRowsJSON writes {"model", "<key>": [{"sample", "<field>": [...], "true"}]}
// with one entry a line for the first n rows of values (dim each); sample
// names them (nil: 1, 2, ...) and truth their true labels (nil: none).
func writeRowsJSON(w io.Writer, m *models.Model, key, field string, values []float32, dim int, in *input, n int) error {
	bw := bufio.NewWriter(w)
	name, _ := json.Marshal(m.Name())
	fmt.Fprintf(bw, "{\n  \"model\": %s,\n  %q: [", name, key)
	for i := range n {
		entry := map[string]any{field: values[i*dim : (i+1)*dim]}
		entry["sample"] = i + 1
		if in != nil {
			entry["sample"] = in.sampleID(i)
			if t, ok := in.trueLabel(i); ok {
				entry["true"] = t
			}
		}
		b, err := json.Marshal(entry)
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteString(",")
		}
		fmt.Fprintf(bw, "\n    %s", b)
	}
	bw.WriteString("\n  ]\n}\n")
	return bw.Flush()
}

// sampleID returns sample i's identifier: its image file, or its 1-based
// row.
func (in *input) sampleID(i int) any {
	switch {
	case in.paths != nil:
		return in.paths[i]
	case in.rows != nil:
		return in.rows[i] + 1
	}
	return i + 1
}

// trueLabel returns the class name of sample i of labelled
// classification data.
func (in *input) trueLabel(i int) (string, bool) {
	d := in.data
	if !d.IsClassification() || !d.IsLabelled() {
		return "", false
	}
	return d.Classes[d.Label(i)], true
}

// encode writes the latent code of each sample of in.
func encode(ctx context.Context, cfg *config, m *models.Model, in *input, stdout io.Writer, log *logrus.Logger) error {
	dim := m.LatentDim()
	if dim == 0 {
		return fmt.Errorf("-encode: model %s has no latent layer: an autoencoder's (Spec.Latent) or a sampling layer", m.Name())
	}
	x, n := in.data.X, in.data.Len()
	codes := make([]float32, 0, n*dim)
	for start := 0; start < n; start += chunk {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("encoding: stopped after %d of %d samples: %w", start, n, err)
		}
		end := min(n, start+chunk)
		z, err := m.Encode(x[start*m.InputDim() : end*m.InputDim()])
		if err != nil {
			return fmt.Errorf("encoding: %w", err)
		}
		codes = append(codes, z...)
	}
	log.WithFields(logrus.Fields{"samples": n, "latent": dim}).Info("encoded")
	return writeOutput(cfg, stdout, log, "codes", func(w io.Writer) error {
		if cfg.json {
			return writeRowsJSON(w, m, "codes", "code", codes, dim, in, n)
		}
		cw := csv.NewWriter(w)
		header := []string{"sample"}
		if in.ids != nil {
			header = append(header, in.idName)
		}
		for j := range dim {
			header = append(header, "z"+strconv.Itoa(j+1))
		}
		_, labelled := in.trueLabel(0)
		if labelled {
			header = append(header, "true")
		}
		if err := cw.Write(header); err != nil {
			return err
		}
		for i := range n {
			row := []string{fmt.Sprint(in.sampleID(i))}
			if in.ids != nil {
				row = append(row, in.ids[i])
			}
			row = append(row, formatValues(codes[i*dim:(i+1)*dim])...)
			if t, ok := in.trueLabel(i); ok {
				row = append(row, t)
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
}

// reconstruction is an autoencoder's output for every sample of an
// input: the reconstructions, and each one's loss and squared error.
type reconstruction struct {
	in           *input
	values       []float32 // the reconstructions, dim each
	dim          int
	losses, mses []float64
	// order lists the samples to write, in order: all of them, or the
	// hardest first.
	order []int
}

// reconstruct runs the autoencoder m on in, chunk samples at a time.
func reconstruct(ctx context.Context, m *models.Model, in *input) (*reconstruction, error) {
	spec, dim := m.Spec(), m.InputDim()
	x, n := in.data.X, in.data.Len()
	r := &reconstruction{in: in, dim: dim, values: make([]float32, 0, len(x))}
	for start := 0; start < n; start += chunk {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("reconstructing: stopped after %d of %d samples: %w", start, n, err)
		}
		xs := x[start*dim : min(n, start+chunk)*dim]
		logits, err := m.Logits(xs)
		if err != nil {
			return nil, fmt.Errorf("reconstructing: %w", err)
		}
		losses, err := models.SampleLosses(spec, logits, xs)
		if err != nil {
			return nil, fmt.Errorf("reconstructing: %w", err)
		}
		r.losses = append(r.losses, losses...)
		r.values = append(r.values, models.OutputsOf(spec, logits)...)
	}
	r.mses = make([]float64, n)
	for i := range n {
		var sse float64
		for j, v := range r.values[i*dim : (i+1)*dim] {
			d := float64(v) - float64(x[i*dim+j])
			sse += d * d
		}
		r.mses[i] = sse / float64(dim)
	}
	r.order = make([]int, n)
	for i := range r.order {
		r.order[i] = i
	}
	return r, nil
}

// keepHardest orders the samples by loss, the largest first, and keeps k.
func keepHardest(order []int, losses []float64, k int) []int {
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case losses[a] > losses[b]:
			return -1
		case losses[a] < losses[b]:
			return 1
		}
		return 0
	})
	return order[:min(k, len(order))]
}

// inferReconstruction is infer for a model that reconstructs its input.
func inferReconstruction(ctx context.Context, cfg *config, m *models.Model, in *input, stdout io.Writer, log *logrus.Logger) error {
	r, err := reconstruct(ctx, m, in)
	if err != nil {
		return err
	}
	log.WithField("samples", in.data.Len()).Info("reconstructed")
	if cfg.hardest > 0 {
		r.order = keepHardest(r.order, r.losses, cfg.hardest)
	}
	var ev *evaluation
	if cfg.eval {
		metrics, err := trainers.Evaluate(m, in.data)
		if err != nil {
			return fmt.Errorf("evaluating: %w", err)
		}
		ev = &evaluation{Model: m.Name(), Task: m.Spec().Task(), Samples: in.data.Len(), Metrics: metrics}
	}
	if cfg.out != "" || ev == nil {
		if cfg.out != "" && isPNG(cfg.out) {
			if err := r.writePNG(cfg, m, log); err != nil {
				return err
			}
		} else if err := writeOutput(cfg, stdout, log, "reconstructions", func(w io.Writer) error {
			if cfg.json {
				return r.writeJSON(w, m)
			}
			return r.writeCSV(w)
		}); err != nil {
			return err
		}
	}
	if ev == nil {
		return nil
	}
	if cfg.json {
		err = ev.writeJSON(stdout)
	} else {
		err = writeReconstructionMetrics(stdout, ev, m.Spec())
	}
	if err != nil {
		return fmt.Errorf("writing to standard output: %w", err)
	}
	return nil
}

// writeReconstructionMetrics writes an autoencoder's -eval figures: its
// loss, the loss's parts for a VAE, and the mse per value.
func writeReconstructionMetrics(w io.Writer, ev *evaluation, spec models.Spec) error {
	names := []string{trainers.LossName}
	if terms := spec.LossTerms(); len(terms) > 0 {
		names = append(append(names, trainers.ReconstructionLossName), terms...)
	}
	names = append(names, trainers.MSEName)
	width := len("samples")
	for _, n := range names {
		width = max(width, len(n))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s  %s\n%-*s  %d\n", width, "model", ev.Model, width, "samples", ev.Samples)
	for _, n := range names {
		fmt.Fprintf(&b, "%-*s  %.6g\n", width, n, ev.Metrics[n])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeCSV writes one row per sample: its loss and squared error.
func (r *reconstruction) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := []string{"sample"}
	if r.in.ids != nil {
		header = append(header, r.in.idName)
	}
	header = append(header, trainers.LossName, trainers.MSEName)
	_, labelled := r.in.trueLabel(0)
	if labelled {
		header = append(header, "true")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, i := range r.order {
		row := []string{fmt.Sprint(r.in.sampleID(i))}
		if r.in.ids != nil {
			row = append(row, r.in.ids[i])
		}
		row = append(row, strconv.FormatFloat(r.losses[i], 'g', 6, 64), strconv.FormatFloat(r.mses[i], 'g', 6, 64))
		if t, ok := r.in.trueLabel(i); ok {
			row = append(row, t)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// reconstructionJSON is one sample's entry in the JSON output.
type reconstructionJSON struct {
	Sample         any       `json:"sample"`
	ID             string    `json:"id,omitempty"`
	Loss           float64   `json:"loss"`
	MSE            float64   `json:"mse"`
	True           string    `json:"true,omitempty"`
	Reconstruction []float32 `json:"reconstruction"`
}

// writeJSON writes the samples with their reconstructions, one a line.
func (r *reconstruction) writeJSON(w io.Writer, m *models.Model) error {
	bw := bufio.NewWriter(w)
	name, _ := json.Marshal(m.Name())
	fmt.Fprintf(bw, "{\n  \"model\": %s,\n  \"task\": %q,\n  \"predictions\": [", name, models.Reconstruction)
	for k, i := range r.order {
		e := reconstructionJSON{Sample: r.in.sampleID(i), Loss: r.losses[i], MSE: r.mses[i],
			Reconstruction: r.values[i*r.dim : (i+1)*r.dim]}
		if r.in.ids != nil {
			e.ID = r.in.ids[i]
		}
		e.True, _ = r.in.trueLabel(i)
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if k > 0 {
			bw.WriteString(",")
		}
		fmt.Fprintf(bw, "\n    %s", b)
	}
	bw.WriteString("\n  ]\n}\n")
	return bw.Flush()
}

// writePNG draws the first samples of the order (at most maxPictured)
// above their reconstructions, each titled with its sample.
func (r *reconstruction) writePNG(cfg *config, m *models.Model, log *logrus.Logger) error {
	h, w, err := imageShape(m)
	if err != nil {
		return err
	}
	order := r.order[:min(len(r.order), maxPictured)]
	if len(order) < len(r.order) {
		log.Infof("picturing the first %d of %d samples (-hardest N pictures the N worst)", len(order), len(r.order))
	}
	var originals, recs [][]float32
	var titles []string
	for _, i := range order {
		originals = append(originals, r.in.data.Row(i))
		recs = append(recs, r.values[i*r.dim:(i+1)*r.dim])
		id := r.in.sampleID(i)
		if s, ok := id.(string); ok {
			id = filepath.Base(s)
		}
		titles = append(titles, fmt.Sprintf("#%v", id))
	}
	p, err := plots.Reconstructions(originals, recs, h, w, 10, titles)
	if err != nil {
		return err
	}
	p.Title.Text = fmt.Sprintf("%s: samples (above) and reconstructions (below)", m.Name())
	if cfg.hardest > 0 {
		p.Title.Text = fmt.Sprintf("%s: the %d samples reconstructed worst, worst first", m.Name(), len(order))
	}
	blocks := (len(order) + 9) / 10
	if err := plots.Save(p, cfg.out, 8*vg.Inch, vg.Length(0.5+1.9*float64(blocks))*vg.Inch); err != nil {
		return fmt.Errorf("writing the reconstructions: %w", err)
	}
	log.WithField("path", cfg.out).Info("wrote reconstructions")
	return nil
}
