// Package kube translates between Kubernetes YAML and berth's own records:
// Decode reads manifests into k8s.io/api objects, Plan turns them into
// spec.PodSpec/spec.ContainerSpec intent for `kube play`, and Generate
// writes pods, containers and volumes back out as YAML a cluster accepts.
// It is pure translation: nothing here touches the engine, so service
// drives it (cli -> service -> kube -> spec, engine/define).
package kube

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/berth-dev/berth/engine/define"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// The kinds play understands.
const (
	KindPod                   = "Pod"
	KindDeployment            = "Deployment"
	KindDaemonSet             = "DaemonSet"
	KindJob                   = "Job"
	KindConfigMap             = "ConfigMap"
	KindSecret                = "Secret"
	KindPersistentVolumeClaim = "PersistentVolumeClaim"
	KindService               = "Service"
)

// Manifests are the decoded documents of one or more YAML files, by kind.
type Manifests struct {
	Pods        []*corev1.Pod
	Deployments []*appsv1.Deployment
	DaemonSets  []*appsv1.DaemonSet
	Jobs        []*batchv1.Job
	ConfigMaps  []*corev1.ConfigMap
	Secrets     []*corev1.Secret
	Claims      []*corev1.PersistentVolumeClaim
	Services    []*corev1.Service
}

// docSeparator splits a multi-document YAML stream.
var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*(#.*)?$`)

// Decode adds every document of data to m. A document that does not
// parse, has no kind, or has a kind play does not support is an error
// naming it; nothing is added then.
func (m *Manifests) Decode(data []byte) error {
	var next Manifests
	for i, doc := range docSeparator.Split(string(data), -1) {
		if len(bytes.TrimSpace([]byte(stripComments(doc)))) == 0 {
			continue
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			return fmt.Errorf("YAML document %d does not parse: %v: %w", i+1, err, define.ErrInvalidArg)
		}
		var target any
		switch tm.Kind {
		case KindPod:
			o := &corev1.Pod{}
			next.Pods, target = append(next.Pods, o), o
		case KindDeployment:
			o := &appsv1.Deployment{}
			next.Deployments, target = append(next.Deployments, o), o
		case KindDaemonSet:
			o := &appsv1.DaemonSet{}
			next.DaemonSets, target = append(next.DaemonSets, o), o
		case KindJob:
			o := &batchv1.Job{}
			next.Jobs, target = append(next.Jobs, o), o
		case KindConfigMap:
			o := &corev1.ConfigMap{}
			next.ConfigMaps, target = append(next.ConfigMaps, o), o
		case KindSecret:
			o := &corev1.Secret{}
			next.Secrets, target = append(next.Secrets, o), o
		case KindPersistentVolumeClaim:
			o := &corev1.PersistentVolumeClaim{}
			next.Claims, target = append(next.Claims, o), o
		case KindService:
			o := &corev1.Service{}
			next.Services, target = append(next.Services, o), o
		case "":
			return fmt.Errorf("YAML document %d has no kind: %w", i+1, define.ErrInvalidArg)
		default:
			return fmt.Errorf("kind %q is not supported (YAML document %d): %w", tm.Kind, i+1, define.ErrInvalidArg)
		}
		if err := yaml.Unmarshal([]byte(doc), target); err != nil {
			return fmt.Errorf("YAML document %d (%s) does not parse: %v: %w", i+1, tm.Kind, err, define.ErrInvalidArg)
		}
	}
	m.Pods = append(m.Pods, next.Pods...)
	m.Deployments = append(m.Deployments, next.Deployments...)
	m.DaemonSets = append(m.DaemonSets, next.DaemonSets...)
	m.Jobs = append(m.Jobs, next.Jobs...)
	m.ConfigMaps = append(m.ConfigMaps, next.ConfigMaps...)
	m.Secrets = append(m.Secrets, next.Secrets...)
	m.Claims = append(m.Claims, next.Claims...)
	m.Services = append(m.Services, next.Services...)
	return nil
}

// stripComments drops full-line comments, so a document of only comments
// (generate's header) counts as empty.
func stripComments(doc string) string {
	var b bytes.Buffer
	for _, line := range bytes.Split([]byte(doc), []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			b.Write(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
