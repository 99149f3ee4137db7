package cli

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// imageRow is one line of `images` per repository:tag, with podman's
// template fields.
type imageRow struct {
	imageJSON
	img        *define.Image
	Repository string
	Tag        string
	noTrunc    bool
}

func (r imageRow) ID() string {
	if r.noTrunc {
		return "sha256:" + r.img.ID
	}
	return r.img.ID[:12]
}
func (r imageRow) Created() string      { return format.HumanDuration(time.Since(r.img.Created)) + " ago" }
func (r imageRow) CreatedSince() string { return r.Created() }

// CreatedAt and CreatedTime are podman's: whole seconds.
func (r imageRow) CreatedAt() string   { return time.Unix(r.img.Created.Unix(), 0).String() }
func (r imageRow) CreatedTime() string { return r.CreatedAt() }
func (r imageRow) Size() string        { return format.HumanSize(r.img.Size) }

// Id and ParentId are the summary's fields under podman's JSON names,
// which its templates accept too.
func (r imageRow) Id() string       { return r.img.ID }
func (r imageRow) ParentId() string { return r.img.Parent }

// IsReadOnly is podman's: the image lives in a read-only store.
func (r imageRow) IsReadOnly() bool { return r.ImageSummary.ReadOnly }

// History is podman's column of --history: the names the image had.
func (r imageRow) History() string { return strings.Join(r.img.NamesHistory, ", ") }

func newImagesCommand(d *Deps) *cobra.Command {
	var quiet, noTrunc, noHeading, all, digests, history, tree bool
	var fmtStr, sortKey string
	var filters []string
	cmd := &cobra.Command{
		Use:   "images [options] [IMAGE]",
		Short: "List images in local storage",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkImageFilters(filters); err != nil {
				return err
			}
			if err := checkImageSort(sortKey); err != nil {
				return err
			}
			if tree {
				if err := checkImagesTree(quiet, digests, fmtStr); err != nil {
					return err
				}
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			list, err := e.Images(cmd.Context())
			if err != nil {
				return err
			}
			if !all {
				list = withoutIntermediate(list)
			}
			sort.SliceStable(list, func(i, j int) bool { return list[i].Created.After(list[j].Created) })
			if list, err = filterImagesByTime(cmd, d, list, filters); err != nil {
				return err
			}
			var rows []any
			seen := map[string]bool{}
			for _, img := range list {
				if !service.ImageMatches(img, args, filters) {
					continue
				}
				if quiet {
					if !seen[img.ID] {
						seen[img.ID] = true
						rows = append(rows, newImageRow(img, "", "", noTrunc))
					}
					continue
				}
				if len(img.Names) == 0 {
					rows = append(rows, newImageRow(img, "<none>", "<none>", noTrunc))
					continue
				}
				for _, n := range img.Names {
					repo, tag := service.SplitRepoTag(n)
					if len(args) == 1 && !service.NameMatches(n, args[0]) {
						continue
					}
					rows = append(rows, newImageRow(img, repo, tag, noTrunc))
				}
			}
			sortImageRows(rows, sortKey)
			out := cmd.OutOrStdout()
			if tree {
				return printImagesTree(out, rows, noTrunc)
			}
			if quiet {
				for _, r := range rows {
					fmt.Fprintln(out, r.(imageRow).ID())
				}
				return nil
			}
			if format.IsJSON(fmtStr) {
				return format.JSON(out, imagesJSON(list, args, filters))
			}
			table := "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Created}}\t{{.Size}}"
			if digests {
				table = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.Created}}\t{{.Size}}"
			}
			if history {
				table += "\t{{.History}}"
			}
			return format.Execute(out, fmtStr, rows,
				format.WithDefaultTable(table),
				format.WithHeaders(map[string]string{"ID": "IMAGE ID", "CreatedSince": "CREATED"}),
				format.WithNoHeading(noHeading))
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&quiet, "quiet", "q", false, "display only image IDs")
	f.BoolVar(&noTrunc, "no-trunc", false, "do not truncate output")
	f.BoolVarP(&noHeading, "noheading", "n", false, "do not print column headings")
	f.BoolVarP(&all, "all", "a", false, "show all images (default hides intermediate images)")
	f.StringVar(&fmtStr, "format", "", "change the output format to JSON or a Go template")
	f.StringArrayVarP(&filters, "filter", "f", nil, "filter output based on conditions provided (after, before, containers, dangling, digest, id, intermediate, label, manifest, readonly, reference, since, until)")
	f.BoolVar(&digests, "digests", false, "show digests")
	f.BoolVar(&history, "history", false, "display the image name history")
	f.BoolVar(&tree, "tree", false, "list multi-platform images as a tree (docker 28, experimental)")
	f.StringVar(&sortKey, "sort", "created", "sort by repository, size, tag, created, id")
	return cmd
}

// imageJSON is one entry of `images --format json`: podman's summary plus
// the CreatedAt its CLI adds.
type imageJSON struct {
	service.ImageSummary
	CreatedAt time.Time `json:"CreatedAt"`
}

func imagesJSON(list []*define.Image, args, filters []string) []imageJSON {
	out := []imageJSON{}
	for _, img := range list {
		if service.ImageMatches(img, args, filters) {
			out = append(out, toImageJSON(img))
		}
	}
	return out
}

func toImageJSON(img *define.Image) imageJSON {
	return imageJSON{ImageSummary: service.NewImageSummary(img), CreatedAt: img.Created.Truncate(time.Second).UTC()}
}

func newImageRow(img *define.Image, repo, tag string, noTrunc bool) imageRow {
	return imageRow{imageJSON: toImageJSON(img), img: img, Repository: repo, Tag: tag, noTrunc: noTrunc}
}

// withoutIntermediate drops the unnamed parents of other images (a
// build's steps), which `images` shows only with -a.
func withoutIntermediate(list []*define.Image) []*define.Image {
	skip := service.IntermediateImages(list)
	if len(skip) == 0 {
		return list
	}
	out := list[:0:0]
	for _, img := range list {
		if !skip[img.ID] {
			out = append(out, img)
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
