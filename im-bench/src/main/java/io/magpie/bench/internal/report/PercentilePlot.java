package io.magpie.bench.internal.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A latency-by-percentile chart as a self-contained HTML page with an inline SVG, the way HdrHistogram
 * plots are read: the x axis is {@code 1 / (1 - percentile)} on a log scale (ticks at 0, 90, 99, 99.9,
 * 99.99 %), so the tail gets as much room as the median; the y axis is latency in ms. One line per
 * series. Stateless.
 */
public final class PercentilePlot {

    /** One point of the curve: {@code x} = log10(1 / (1 - p)), {@code yMs} = latency at p. */
    public record Point(double x, double yMs) {
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;
    private static final int LEFT = 70;
    private static final int RIGHT = 200;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    /** 99.9999 %: the curve stops there; beyond, a histogram of fewer than 10^6 samples says nothing. */
    private static final double MAX_X = 6;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    private PercentilePlot() {
    }

    /** The curve of a histogram of microseconds; empty when it has no samples. */
    public static List<Point> points(Histogram micros) {
        List<Point> points = new ArrayList<>();
        if (micros == null || micros.getTotalCount() == 0) {
            return points;
        }
        for (HistogramIterationValue v : micros.percentiles(5)) {
            double p = v.getPercentileLevelIteratedTo() / 100.0;
            double x = p >= 1 ? MAX_X : Math.min(MAX_X, Math.log10(1 / (1 - p)));
            points.add(new Point(x, micros.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0));
            if (p >= 1) {
                break;
            }
        }
        return points;
    }

    /** The whole HTML page. */
    public static String html(String title, List<RunReport.PlotSeries> series) {
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title></head>\n"
                + "<body style=\"font-family:sans-serif\">\n" + svg(title, series) + "\n</body></html>\n";
    }

    /** The SVG element alone. */
    public static String svg(String title, List<RunReport.PlotSeries> series) {
        List<List<Point>> curves = new ArrayList<>();
        double maxX = 1;
        double maxY = 0;
        for (RunReport.PlotSeries s : series) {
            List<Point> pts = points(s.micros());
            curves.add(pts);
            for (Point p : pts) {
                maxX = Math.max(maxX, p.x());
                maxY = Math.max(maxY, p.yMs());
            }
        }
        maxX = Math.min(MAX_X, Math.ceil(maxX));
        double yTop = niceCeiling(maxY);
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT,
                escape(title)));
        // grid and x ticks: 0 %, 90 %, 99 %, ...
        for (int i = 0; i <= (int) maxX; i++) {
            double x = LEFT + plotW * i / maxX;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    x, TOP, x, TOP + plotH));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                    x, TOP + plotH + 18, percentileLabel(i)));
        }
        for (int i = 0; i <= 5; i++) {
            double yv = yTop * i / 5;
            double y = TOP + plotH - plotH * i / 5;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, y, LEFT + plotW, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6, y + 4, Numbers.ms(yv)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
                LEFT + plotW / 2, HEIGHT - 8));
        svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" transform=\"rotate(-90 16 %.1f)\""
                + " text-anchor=\"middle\">latency (ms)</text>%n", TOP + plotH / 2, TOP + plotH / 2));
        for (int s = 0; s < curves.size(); s++) {
            String color = COLORS[s % COLORS.length];
            StringBuilder pts = new StringBuilder();
            for (Point p : curves.get(s)) {
                double x = LEFT + plotW * Math.min(p.x(), maxX) / maxX;
                double y = TOP + plotH - (yTop == 0 ? 0 : plotH * p.yMs() / yTop);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            svg.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
                    .append(pts.toString().strip()).append("\"/>\n");
            double ly = TOP + 10 + s * 18;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                    + " stroke-width=\"3\"/>%n", LEFT + plotW + 12, ly, LEFT + plotW + 32, ly, color));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", LEFT + plotW + 38, ly + 4,
                    escape(series.get(s).name())));
        }
        svg.append("</svg>");
        return svg.toString();
    }

    /** 0 -> "0%", 1 -> "90%", 2 -> "99%", 3 -> "99.9%". */
    static String percentileLabel(int decade) {
        if (decade == 0) {
            return "0%";
        }
        if (decade == 1) {
            return "90%";
        }
        return "99" + (decade > 2 ? "." + "9".repeat(decade - 2) : "") + "%";
    }

    /** The smallest of 1, 2, 5 x 10^n at or above {@code v} (1 for 0). */
    static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
