// Package plots draws the figures of the dlgo course with gonum.org/v1/plot:
// data sets and decision regions (Scatter, DecisionRegions, RegressionFit),
// training curves (History, Curves), loss landscapes with optimiser paths
// and a marked minimum (Contours, with labelled levels, and Curve1D for
// one parameter), per-layer figures (Bars), distributions (Histogram), a
// confusion matrix (ConfusionMatrix), grids of small images such as MNIST
// digits or convolution filters (ImageGrid, SampleGrid, Filters), what a
// network computes inside, as coloured maps with a colour bar (Heatmaps):
// its filters on one colour scale (FilterMaps, FilterMapsShared), the
// feature maps of one image (FeatureMaps), each hidden unit over the input
// plane (UnitMaps), and the data in the space of a 2-unit hidden layer
// (HiddenSpace); and the figures of autoencoders: images above their
// reconstructions (Reconstructions), the latent codes of a data set by
// class (Latent) and the images a decoder makes of a grid over its latent
// plane (Manifold). Graphs of computations are drawn by package graphviz.
//
// Every constructor returns a *plot.Plot, which callers may adjust (a
// title, axis labels) before rendering it with PNG, for notebooks, or Save,
// for files. Panels puts several plots side by side in one figure. The
// constructors check their input and return errors rather than panic;
// values that cannot be drawn in curves and points (NaN, ±Inf, and
// magnitudes beyond 1e100, which gonum/plot cannot place ticks for) are
// skipped.
//
// Linear axes are labelled at round numbers (multiples of 1, 2 or 5 times a
// power of ten), log axes at powers of ten (LogX puts the x axis on one).
//
// Sizes are vg lengths: 4*vg.Inch by 3*vg.Inch is a 384×288 pixel PNG, as
// images are rendered at 96 dots per inch. Classes and series take their
// colours in order from the Tableau 10 palette; decision regions use a
// lighter shade of their class's colour. Legends are drawn to the right of
// the data area, never over it.
package plots
