"""REST API of the organisation, through the same access layer as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from spbe.org import access
from spbe.org.models import PerangkatDaerah, RoleAssignment


class PDSerializer(serializers.ModelSerializer):
    pemda = serializers.StringRelatedField()

    class Meta:
        model = PerangkatDaerah
        fields = ["id", "pemda", "name", "abbreviation", "kind", "is_spbe_coordinator", "email", "phone", "is_active"]


class RoleSerializer(serializers.ModelSerializer):
    pd = serializers.PrimaryKeyRelatedField(read_only=True)
    role_label = serializers.CharField(source="get_role_display")

    class Meta:
        model = RoleAssignment
        fields = ["role", "role_label", "pd"]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    pemda = serializers.CharField(allow_null=True)
    roles = RoleSerializer(many=True)


class PDListView(generics.ListAPIView):
    """Perangkat Daerah the caller may see (S-1)."""

    serializer_class = PDSerializer

    def get_queryset(self):
        return access.visible_pds(self.request.user).order_by("pemda__name", "name")


class PDDetailView(generics.RetrieveAPIView):
    serializer_class = PDSerializer

    def get_object(self):
        return access.get_pd(self.request.user, self.kwargs["pk"])


class MeView(APIView):
    """The caller and the roles they hold."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        data = {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "pemda": str(user.pemda) if user.pemda else None,
            "roles": user.role_assignments.all(),
        }
        return Response(MeSerializer(data).data)
