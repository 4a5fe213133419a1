{{- define "ecsroles.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ecsroles.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "ecsroles.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ecsroles.serviceAccountName" -}}
{{- default (include "ecsroles.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "ecsroles.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicaCount) 1) -}}true{{- else -}}false{{- end -}}
{{- end -}}

{{/* The rules the controller needs on EcsRoleSets, and nothing else. */}}
{{- define "ecsroles.rules" -}}
- apiGroups: [ecsroles.dev]
  resources: [ecsrolesets]
  verbs: [get, list, watch, patch, update]
- apiGroups: [ecsroles.dev]
  resources: [ecsrolesets/status]
  verbs: [get, patch, update]
- apiGroups: [ecsroles.dev]
  resources: [ecsrolesets/finalizers]
  verbs: [update]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end -}}
