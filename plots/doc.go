// Package plots draws the figures of the dlgo course with gonum.org/v1/plot:
// data sets and decision regions (Scatter, DecisionRegions, RegressionFit),
// training curves (History, Curves), loss landscapes with optimiser paths
// (Contours), per-layer figures (Bars), a confusion matrix
// (ConfusionMatrix), grids of small images such as MNIST digits or
// convolution filters (ImageGrid, SampleGrid, Filters), and the figures of
// autoencoders: images above their reconstructions (Reconstructions), the
// latent codes of a data set by class (Latent) and the images a decoder
// makes of a grid over its latent plane (Manifold).
//
// Every constructor returns a *plot.Plot, which callers may adjust (a
// title, axis labels) before rendering it with PNG, for notebooks, or Save,
// for files. Panels puts several plots side by side in one figure. The
// constructors check their input and return errors rather than panic;
// values that cannot be drawn in curves and points (NaN, ±Inf, and
// magnitudes beyond 1e100, which gonum/plot cannot place ticks for) are
// skipped.
//
// Sizes are vg lengths: 4*vg.Inch by 3*vg.Inch is a 384×288 pixel PNG, as
// images are rendered at 96 dots per inch. Classes and series take their
// colours in order from the Tableau 10 palette; decision regions use a
// lighter shade of their class's colour. Legends are drawn to the right of
// the data area, never over it.
package plots
