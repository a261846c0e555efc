from django.urls import path

from . import views

app_name = "runtime_api"

urlpatterns = [
    path("tasks/", views.TaskListView.as_view(), name="tasks"),
    path("tasks/queue/", views.TaskQueueView.as_view(), name="task-queue"),
    path("tasks/<uuid:task_id>/", views.TaskDetailView.as_view(), name="task"),
    path("tasks/<uuid:task_id>/complete/", views.TaskCompleteView.as_view(), name="task-complete"),
    path("tasks/<uuid:task_id>/claim/", views.TaskClaimView.as_view(), name="task-claim"),
    path("tasks/<uuid:task_id>/release/", views.TaskReleaseView.as_view(), name="task-release"),
    path("tasks/<uuid:task_id>/return/", views.TaskReturnView.as_view(), name="task-return"),
    path("tasks/<uuid:task_id>/reassign/", views.TaskReassignView.as_view(), name="task-reassign"),
    path("cases/<uuid:case_id>/timeline/", views.CaseTimelineView.as_view(), name="case-timeline"),
    path("cases/<uuid:case_id>/cancel/", views.CaseCancelView.as_view(), name="case-cancel"),
    path("cases/<uuid:case_id>/pause/", views.CasePauseView.as_view(), name="case-pause"),
    path("cases/<uuid:case_id>/resume/", views.CaseResumeView.as_view(), name="case-resume"),
    path(
        "cases/<uuid:case_id>/comments/",
        views.CaseCommentListView.as_view(),
        name="case-comments",
    ),
    path("cases/<uuid:case_id>/effects/", views.CaseEffectListView.as_view(), name="case-effects"),
    path(
        "cases/<uuid:case_id>/effects/<uuid:effect_id>/retry/",
        views.CaseEffectRetryView.as_view(),
        name="case-effect-retry",
    ),
    path("messages/", views.MessageView.as_view(), name="messages"),
]
