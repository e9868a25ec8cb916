package dev.driftwatch.docs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every relative link of README.md and docs/**.md resolves: the file or directory exists, and a {@code #anchor}
 * names a heading of the target file as GitHub slugs it. Links inside code (fenced blocks, inline code) are not
 * links; absolute URLs are not checked (no network).
 */
class DocLinksTest {
    /** {@code [text](target)} and {@code ![alt](target)}; the target ends at whitespace (a title) or ')'. */
    static final Pattern INLINE_LINK = Pattern.compile("\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    /** {@code [label]: target} reference definitions. */
    static final Pattern REFERENCE_DEFINITION = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$",
            Pattern.MULTILINE);
    static final Pattern HEADING = Pattern.compile("^\\s{0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$", Pattern.MULTILINE);
    static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    @Test
    void everyRelativeLinkOfTheDocsResolves() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        List<Path> files = markdownFiles(root);
        assertThat(files).as("README.md and docs/*.md").contains(root.resolve("README.md"), root.resolve("docs/configuration.md"));
        assertThat(brokenLinks(files)).as("broken relative links (file: target: why)").isEmpty();
    }

    @Test
    void aBrokenFileOrAnchorIsReported(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.md"), String.join("\n",
                "# Title",
                "## `driftwatch compare` (table)",
                "[ok](b.md#first-heading) [ok](#driftwatch-compare-table) [ok](https://example.com/x.md)",
                "[missing file](c.md) [missing anchor](b.md#nope) `[in code](d.md)`",
                "```",
                "[in a fence](e.md)",
                "```",
                "[ok](./)"));
        Files.writeString(dir.resolve("b.md"), "# First heading\n");
        assertThat(brokenLinks(List.of(dir.resolve("a.md"))))
                .containsExactly("a.md: c.md: no such file", "a.md: b.md#nope: no heading with this anchor in b.md");
    }

    @Test
    void slugsFollowGitHub() {
        Map<String, Integer> seen = new HashMap<>();
        assertThat(slug("Configuration (`--config driftwatch.yaml`)", seen)).isEqualTo("configuration---config-driftwatchyaml");
        assertThat(slug("Baselines: versions, topic, lineage", seen)).isEqualTo("baselines-versions-topic-lineage");
        assertThat(slug("[`InferenceEvent`](x.md) v2", seen)).isEqualTo("inferenceevent-v2");
        assertThat(slug("Outcomes", seen)).isEqualTo("outcomes");
        assertThat(slug("Outcomes", seen)).isEqualTo("outcomes-1");
    }

    static List<Path> markdownFiles(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    /** One entry per broken link: {@code file: target: why}, the file relative to its link's base. */
    static List<String> brokenLinks(List<Path> files) throws IOException {
        Path base = commonParent(files);
        Map<Path, Set<String>> anchors = new HashMap<>();
        List<String> broken = new ArrayList<>();
        for (Path file : files) {
            String text = withoutCode(Files.readString(file));
            for (String target : links(text)) {
                if (target.isEmpty() || SCHEME.matcher(target).find() || target.startsWith("//")) {
                    continue;
                }
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
                String where = base.relativize(file) + ": " + target + ": ";
                if (!Files.exists(resolved)) {
                    broken.add(where + "no such file");
                } else if (anchor != null) {
                    if (!resolved.toString().endsWith(".md")) {
                        broken.add(where + "an anchor into a file that is not markdown");
                    } else if (!anchors.computeIfAbsent(resolved, DocLinksTest::headingAnchors).contains(anchor)) {
                        broken.add(where + "no heading with this anchor in " + resolved.getFileName());
                    }
                }
            }
        }
        return broken;
    }

    static List<String> links(String text) {
        List<String> targets = new ArrayList<>();
        for (Pattern p : List.of(INLINE_LINK, REFERENCE_DEFINITION)) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                targets.add(m.group(1));
            }
        }
        return targets;
    }

    /** The text with fenced code blocks and inline code spans blanked out (line count kept). */
    static String withoutCode(String text) {
        StringBuilder out = new StringBuilder();
        boolean inFence = false;
        String fence = null;
        for (String line : text.split("\n", -1)) {
            String trimmed = line.stripLeading();
            if (!inFence && (trimmed.startsWith("```") || trimmed.startsWith("~~~"))) {
                inFence = true;
                fence = trimmed.substring(0, 3);
                out.append('\n');
                continue;
            }
            if (inFence) {
                if (trimmed.startsWith(fence)) {
                    inFence = false;
                }
                out.append('\n');
                continue;
            }
            out.append(line.replaceAll("(`+)(?:(?!\\1).)+?\\1", "``")).append('\n');
        }
        return out.toString();
    }

    static Set<String> headingAnchors(Path file) {
        try {
            String text = withoutCodeFences(Files.readString(file));
            Set<String> anchors = new LinkedHashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            Matcher m = HEADING.matcher(text);
            while (m.find()) {
                anchors.add(slug(m.group(1), seen));
            }
            return anchors;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fenced blocks only: headings keep their inline code, whose text is part of the slug. */
    static String withoutCodeFences(String text) {
        StringBuilder out = new StringBuilder();
        boolean inFence = false;
        for (String line : text.split("\n", -1)) {
            String trimmed = line.stripLeading();
            if (trimmed.startsWith("```") || trimmed.startsWith("~~~")) {
                inFence = !inFence;
                out.append('\n');
                continue;
            }
            out.append(inFence ? "" : line).append('\n');
        }
        return out.toString();
    }

    /**
     * GitHub's heading anchor: the heading's text (links by their text, no markup), lower case, every character that
     * is not a letter, digit, space, '-' or '_' removed, spaces turned into '-'; a repeated slug gets -1, -2, ...
     */
    static String slug(String heading, Map<String, Integer> seen) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
        String s = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
        int n = seen.merge(s, 1, Integer::sum) - 1;
        return n == 0 ? s : s + "-" + n;
    }

    static Path commonParent(List<Path> files) {
        Path base = files.get(0).getParent();
        for (Path f : files) {
            while (!f.startsWith(base)) {
                base = base.getParent();
            }
        }
        return base;
    }
}
