"""The knowledge API (issue 15): articles with the pages' filters, search
and permissions, and "was this helpful?" for anyone.

Anonymous callers and citizens read published public articles; staff read
what ``rules.visible`` gives them (published articles of their Pemda,
drafts of their PDs). Feedback is accepted without an account, rate
limited per client address like the portal's form (429 with Retry-After)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from spbe.catalog.models import Service
from spbe.continuity.api import NamedChoiceField
from spbe.front import ratelimit
from spbe.front.api import error_response
from spbe.knowledge import actions, rules
from spbe.knowledge.choices import ArticleStatus, FeedbackSource, Visibility
from spbe.knowledge.models import Article
from spbe.knowledge.search import search_articles
from spbe.knowledge.views_public import FEEDBACK_PER_IP

BIG = 2**63 - 1


class ArticleSerializer(serializers.ModelSerializer):
    pemda_slug = serializers.CharField(source="pemda.slug", read_only=True)
    pd = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    pd_name = serializers.SerializerMethodField()
    service = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    service_name = serializers.SerializerMethodField()
    category = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    category_name = serializers.SerializerMethodField()
    status = NamedChoiceField(ArticleStatus, read_only=True)
    visibility = NamedChoiceField(Visibility, read_only=True)
    source_problem = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    helpful_percent = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Article
        fields = [
            "id", "pemda", "pemda_slug", "pd", "pd_name", "service", "service_name", "category", "category_name",
            "title", "summary", "body", "keywords", "visibility", "status", "source_problem", "published_at",
            "view_count", "helpful_count", "unhelpful_count", "deflection_count", "helpful_percent", "created",
            "last_updated",
        ]  # fmt: skip
        read_only_fields = fields

    def get_pd_name(self, article) -> str | None:
        return article.pd.name if article.pd_id else None

    def get_service_name(self, article) -> str | None:
        return article.service.name if article.service_id else None

    def get_category_name(self, article) -> str | None:
        return article.category.name if article.category_id else None


class ArticleFilterSerializer(serializers.Serializer):
    pemda = serializers.SlugField(required=False, max_length=100)
    pd = serializers.IntegerField(required=False, min_value=1, max_value=BIG)
    service = serializers.IntegerField(required=False, min_value=1, max_value=BIG)
    category = serializers.IntegerField(required=False, min_value=1, max_value=BIG)
    status = serializers.ChoiceField(choices=ArticleStatus.choices, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False, allow_blank=True)
    general = serializers.BooleanField(required=False, default=False)
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)


ARTICLE_PARAMETERS = [
    OpenApiParameter("pemda", str, description="Slug Pemda, mis. `kota-yogyakarta`."),
    OpenApiParameter("pd", int, description="Id PD."),
    OpenApiParameter("service", int, description="Id layanan."),
    OpenApiParameter("category", int, description="Id kategori."),
    OpenApiParameter("status", str, enum=ArticleStatus.values, description="Status artikel (petugas)."),
    OpenApiParameter("visibility", str, enum=Visibility.values, description="Keterlihatan."),
    OpenApiParameter("general", bool, description="Hanya artikel umum Pemda (tanpa PD)."),
    OpenApiParameter("q", str, description="Pencarian teks penuh berbahasa Indonesia; hasil terbaik lebih dulu."),
]


class FeedbackSerializer(serializers.Serializer):
    helpful = serializers.BooleanField(help_text="Apakah artikel membantu.")
    solved = serializers.BooleanField(
        required=False, default=False,
        help_text="Masalah selesai tanpa mengirim laporan (dihitung sebagai laporan tercegah); hanya bila helpful.",
    )  # fmt: skip
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    service = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=BIG,
                                       help_text="Id layanan yang hendak dilaporkan.")  # fmt: skip


FeedbackResultSerializer = inline_serializer(
    "ArticleFeedbackResult",
    {
        "helpful": serializers.BooleanField(),
        "deflected": serializers.BooleanField(),
        "helpful_count": serializers.IntegerField(),
        "unhelpful_count": serializers.IntegerField(),
        "deflection_count": serializers.IntegerField(),
    },
)


class ArticleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Articles the caller may read, best match first when searching."""

    serializer_class = ArticleSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # OpenAPI schema generation
            return Article.objects.none()
        # what the staff pages show the person, and every published public article, as anyone may read
        qs = rules.visible(self.request.user) | rules.public_articles()
        qs = qs.select_related("pemda", "pd", "service", "category")
        qs = qs.order_by("title", "pk")
        if self.action != "list":
            return qs
        incoming = ArticleFilterSerializer(data=self.request.query_params)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if data.get("pemda"):
            qs = qs.filter(pemda__slug=data["pemda"])
        for name in ("pd", "service", "category", "status", "visibility"):
            if data.get(name):
                qs = qs.filter(**{name: data[name]})
        if data.get("general"):
            qs = qs.filter(pd__isnull=True)
        if data.get("q", "").strip():
            qs = search_articles(qs, data["q"])
        return qs

    @extend_schema(parameters=ARTICLE_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=FeedbackSerializer,
        responses={
            200: FeedbackResultSerializer,
            400: error_response("Data tidak valid, atau artikel belum terbit."),
            403: error_response("Masuk dengan sesi tetapi tanpa token CSRF."),
            404: error_response("Artikel tidak ditemukan, atau di luar cakupan pemanggil."),
            429: error_response("Terlalu banyak permintaan; lihat header Retry-After."),
        },
    )
    @action(detail=True, methods=["post"], url_path="umpan-balik")
    def feedback(self, request, pk=None):
        """ "Apakah artikel ini membantu?": once per article, client and day
        (a later answer the same day replaces the earlier one)."""
        article = self.get_object()
        incoming = FeedbackSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        wait = ratelimit.retry_after(request, "knowledge-feedback", FEEDBACK_PER_IP)
        if wait:
            return Response({"message": ratelimit.refusal(wait), "code": "throttled"}, status=429,
                            headers={"Retry-After": str(wait)})  # fmt: skip
        data = incoming.validated_data
        service = None
        if data.get("service"):
            service = Service.objects.filter(pk=data["service"]).select_related("pd").first()
            if service is None:
                raise NotFound("Layanan tidak ditemukan.")
        vote = actions.Vote(helpful=data["helpful"], deflected=data["helpful"] and data["solved"],
                            comment=data["comment"], source=FeedbackSource.API, service=service)  # fmt: skip
        try:
            given = actions.give_feedback(article, vote, actions.client_key(request))
        except DjangoValidationError as error:
            raise ApiValidationError({"non_field_errors": error.messages}) from None
        article.refresh_from_db()
        return Response({
            "helpful": given.helpful, "deflected": given.deflected, "helpful_count": article.helpful_count,
            "unhelpful_count": article.unhelpful_count, "deflection_count": article.deflection_count,
        })  # fmt: skip


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("pengetahuan/artikel", ArticleViewSet, basename="knowledge-article")
api_urlpatterns = router.urls
