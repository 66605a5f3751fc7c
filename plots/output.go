package plots

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/dlgo/dlgo/internal/atomicfile"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// DPI is the resolution of PNG output, in dots per inch: gonum/plot's
// default, so 4*vg.Inch is 384 pixels.
const DPI = vgimg.DefaultDPI

// maxSize is the largest width or height accepted for a figure.
const maxSize = 100 * vg.Inch

// Drawer is a figure that PNG and Save render: a *plot.Plot, or the
// result of Panels.
type Drawer interface {
	// Draw draws the figure onto the canvas.
	Draw(c draw.Canvas)
}

// PNG renders the figure d at width × height (at DPI dots per inch) and
// returns the encoded PNG, as GoNB's gonbui.DisplayPng takes it.
func PNG(d Drawer, width, height vg.Length) ([]byte, error) {
	w, err := render(d, width, height, "png")
	if err != nil {
		return nil, fmt.Errorf("plots: png: %w", err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plots: png: encoding: %w", err)
	}
	return buf.Bytes(), nil
}

// Save renders the figure d at width × height and writes it to path in
// the format its extension names: .png (at DPI dots per inch), .svg or
// .pdf. The file is written to a temporary file in the same directory
// first and renamed into place, so readers never see a partial file.
func Save(d Drawer, path string, width, height vg.Length) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	switch format {
	case "png", "svg", "pdf":
	default:
		return fmt.Errorf("plots: save %s: unsupported extension %q; want .png, .svg or .pdf", path, filepath.Ext(path))
	}
	w, err := render(d, width, height, format)
	if err != nil {
		return fmt.Errorf("plots: save %s: %w", path, err)
	}
	if err := writeAtomic(path, w); err != nil {
		return fmt.Errorf("plots: save %s: %w", path, err)
	}
	return nil
}

// render draws d onto a canvas of the given format. A panic while drawing
// (a hand-made plot with an invalid range, say) is returned as an error.
func render(d Drawer, width, height vg.Length, format string) (w io.WriterTo, err error) {
	if d == nil {
		return nil, errors.New("no figure")
	}
	if err := checkSize(width, height); err != nil {
		return nil, err
	}
	c, err := draw.NewFormattedCanvas(width, height, format)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			w, err = nil, fmt.Errorf("drawing the figure: %v", r)
		}
	}()
	if p, ok := d.(*plot.Plot); ok {
		d = fittedPlot{p}
	}
	d.Draw(draw.New(c))
	return c, nil
}

// checkSize checks that a figure's width and height are positive, finite
// and at most maxSize.
func checkSize(width, height vg.Length) error {
	for _, l := range []vg.Length{width, height} {
		if !(l > 0 && l <= maxSize) || math.IsNaN(float64(l)) {
			return fmt.Errorf("figure size %v × %v points; want each in (0, %v]", float64(width), float64(height), float64(maxSize))
		}
	}
	return nil
}

// writeAtomic writes w to path through a temporary file renamed into
// place.
func writeAtomic(path string, w io.WriterTo) error {
	return atomicfile.Write(path, func(out io.Writer) error {
		_, err := w.WriteTo(out)
		return err
	})
}
